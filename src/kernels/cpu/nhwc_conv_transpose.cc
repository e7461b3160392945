// com.parallax.NhwcConvTranspose: a 2-D float32 ConvTranspose whose X and Y
// are channels-last ([N, H, W, C]), in the one form the channels-last pass
// (graph/passes/channels_last.cc) gives it: kernel equal to stride, no
// padding, dilation or output padding, one group, constant weights. That is
// the 2x2 stride-2 upsampling of mask heads, U-Nets and text detectors.
// Without it the NHWC region around them broke at the ConvTranspose, and a
// transpose back to NHWC of its output (Mask R-CNN: 100 x 256 x 28 x 28,
// 77 MB) took 118 ms and doubled the run's peak of run-time tensors.
//
// Each input pixel (h, w) writes its own kH x kW tile of the output, and in
// NHWC the tile's row i is one contiguous run of kW * OC values:
//   Y[n, h*kH + i, w*kW + j, oc] = sum_ic X[n, h, w, ic] * W[ic, oc, i, j] + B[oc]
// So Y, seen as [N*H, kH, W, kW*OC], is kH matrix products
//   Y[:, i, :, :] = X[N*H, W, IC] x Wi[IC, kW*OC],  Wi[ic, j*OC + oc] = W[ic, oc, i, j]
// written in place through a strided destination, with B and the fused
// activation as oneDNN's bias and post-ops: no scratch, no copy.
// Attributes are ConvTranspose's, plus the fused-activation hook of dnnl_util.h.
#include <algorithm>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "graph/conv_transpose_tiling.h"
#include "kernels/cpu/dnnl_matmul.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/weight_cache.h"

namespace parallax {
namespace {

// W as the kH matrices Wi, [kH, IC, kW * OC], and B repeated for each of the
// kW pixels of a tile row ([kW * OC], or empty).
struct RowWeights final : CachedWeight {
  RowWeights(const Tensor& w, const Tensor* b) {
    const int64_t ic = w.dim(0), oc = w.dim(1), kh = w.dim(2), kw = w.dim(3), cols = kw * oc;
    rows = Tensor::allocate(DataType::kFloat32, {kh, ic, cols});
    const float* src = w.data<float>();
    float* dst = rows.data<float>();
    for (int64_t c = 0; c < ic; ++c)
      for (int64_t o = 0; o < oc; ++o)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j)
            dst[(i * ic + c) * cols + j * oc + o] = src[((c * oc + o) * kh + i) * kw + j];
    if (b) {
      bias = Tensor::allocate(DataType::kFloat32, {cols});
      for (int64_t j = 0; j < kw; ++j) std::copy_n(b->data<float>(), oc, bias.data<float>() + j * oc);
    }
  }
  size_t bytes() const override { return rows.nbytes() + bias.nbytes(); }
  Tensor rows, bias;
};

class NhwcConvTransposeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<NhwcConvTransposeKernel>();
    const Tensor* w = ctx.constant_input(1);
    if (!w || w->rank() != 4 || w->dtype() != DataType::kFloat32 || w->numel() == 0)
      return error(StatusCode::kInvalidArgument, "NhwcConvTranspose needs constant, non-empty float32 4-D weights");
    const int64_t ic = w->dim(0), oc = w->dim(1), kh = w->dim(2), kw = w->dim(3);
    if (!conv_transpose_tiles_output(ctx.attrs(), kh, kw))
      return error(StatusCode::kInvalidArgument,
                   "NhwcConvTranspose takes only strides equal to the kernel, one group, no padding, dilation, "
                   "output_padding, output_shape or residual");
    PX_ASSIGN_OR_RETURN(dnnl_util::FusedActivation act, dnnl_util::FusedActivation::parse(ctx));
    k->ic_ = ic;
    k->oc_ = oc;
    k->kh_ = kh;
    k->kw_ = kw;
    const Tensor* b = ctx.has_input(2) ? ctx.constant_input(2) : nullptr;
    if (ctx.has_input(2) && (!b || b->numel() != oc || b->dtype() != DataType::kFloat32))
      return error(StatusCode::kInvalidArgument, "NhwcConvTranspose needs a constant float32 bias of ", oc, " values");
    auto make = [&] { return std::make_shared<RowWeights>(*w, b); };
    std::string key = content_key(*w) + "|nhwc_conv_transpose_rows";
    if (b) key.append("|").append(content_key(*b));
    k->weights_ = ctx.weight_cache() ? ctx.weight_cache()->get_or_make<RowWeights>(key, make) : make();
    k->mm_.configure(act, nullptr);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    if (ctx.input_dtype(0) != DataType::kFloat32 && ctx.input_dtype(0) != DataType::kUndefined)
      return error(StatusCode::kInvalidArgument, "NhwcConvTranspose: X must be float32, not ",
                   data_type_name(ctx.input_dtype(0)));
    if (x.size() != 4 || x[3] != ic_)
      return error(StatusCode::kInvalidArgument, "NhwcConvTranspose: X must be [N,H,W,", ic_, "], got ",
                   shape_to_string(x));
    PX_ASSIGN_OR_RETURN(int64_t h, checked_mul(x[1], kh_));
    PX_ASSIGN_OR_RETURN(int64_t w, checked_mul(x[2], kw_));
    ctx.set_output(0, DataType::kFloat32, Shape{x[0], h, w, oc_});
    return Status::ok();
  }

  bool holds_constant(size_t input) const override { return input == 1 || input == 2; }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (x.dtype() != DataType::kFloat32)
      return error(StatusCode::kInvalidArgument, "NhwcConvTranspose: X must be float32, not ",
                   data_type_name(x.dtype()));
    if (y.numel() == 0) return Status::ok();
    const int64_t nh = x.dim(0) * x.dim(1), w = x.dim(2), cols = kw_ * oc_;
    dnnl_util::MatmulProblem p;
    p.a = {nh, w, ic_};
    p.a_strides = {w * ic_, ic_, 1};
    p.b = {1, ic_, cols};
    p.b_strides = {ic_ * cols, cols, 1};
    if (!weights_->bias.empty()) p.bias = {1, 1, cols};
    p.dst = {nh, w, cols};
    p.dst_strides = {kh_ * w * cols, cols, 1};
    const Tensor& bias_t = weights_->bias;
    const float* bias = bias_t.empty() ? nullptr : bias_t.data<float>();
    for (int64_t i = 0; i < kh_; ++i)
      PX_RETURN_IF_ERROR(mm_.run(p, x.data<float>(), weights_->rows.data<float>() + i * ic_ * cols, bias,
                                 y.data<float>() + i * w * cols, nullptr));
    return Status::ok();
  }

 private:
  int64_t ic_ = 0, oc_ = 0, kh_ = 0, kw_ = 0;
  std::shared_ptr<RowWeights> weights_;
  dnnl_util::CachedMatmul mm_;
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "NhwcConvTranspose", 1, kMaxOpset, make_kernel<NhwcConvTransposeKernel>);

}  // namespace parallax
