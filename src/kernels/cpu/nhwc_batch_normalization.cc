// com.parallax.NhwcBatchNormalization: inference BatchNormalization on
// [N,H,W,C] (channels last), y = x * a[c] + b[c], with an optional fused
// activation (px_activation, as on Conv). The channels-last pass puts it
// where a BatchNormalization cannot fold into a preceding Conv (DenseNet's
// pre-activation BN -> ReLU -> Conv after every Concat), so the activations
// stay NHWC instead of being transposed to NCHW and back around each one.
#include <cmath>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class NhwcBatchNormKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<NhwcBatchNormKernel>();
    PX_ASSIGN_OR_RETURN(k->eps_, ctx.attrs().get_float("epsilon", 1e-5f));
    PX_ASSIGN_OR_RETURN(k->act_, dnnl_util::FusedActivation::parse(ctx));
    if (k->act_.residual) return error(StatusCode::kInvalidArgument, "NhwcBatchNormalization has no residual input");
    if (ctx.num_inputs() < 5) return error(StatusCode::kInvalidArgument, "NhwcBatchNormalization needs 5 inputs");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    if (x.size() != 4) return error(StatusCode::kInvalidArgument, "X must be [N,H,W,C], got ", shape_to_string(x));
    for (size_t i = 0; i < 5; ++i)
      if (ctx.input_dtype(i) != DataType::kFloat32) return error(StatusCode::kUnsupported, "float32 only");
    for (size_t i = 1; i < 5; ++i)
      if (shape_numel(ctx.input_shape(i)) != x[3])
        return error(StatusCode::kInvalidArgument, "input ", i, " has ", shape_numel(ctx.input_shape(i)),
                     " elements, expected ", x[3]);
    ctx.set_output(0, DataType::kFloat32, x);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const int64_t rows = x.dim(0) * x.dim(1) * x.dim(2), c = x.dim(3);
    const float* sc = ctx.input(1).data<float>();
    const float* bi = ctx.input(2).data<float>();
    const float* mean = ctx.input(3).data<float>();
    const float* var = ctx.input(4).data<float>();
    // The same per-channel a, b as the NCHW kernel (double, then rounded): same bits.
    std::vector<float> a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
    for (int64_t k = 0; k < c; ++k) {
      const double inv = 1.0 / std::sqrt(static_cast<double>(var[k]) + static_cast<double>(eps_));
      a[k] = static_cast<float>(static_cast<double>(sc[k]) * inv);
      b[k] = static_cast<float>(static_cast<double>(bi[k]) -
                                static_cast<double>(mean[k]) * static_cast<double>(sc[k]) * inv);
    }
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    parallel_for(ctx.num_threads(), rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(c, 1)),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t r = lo; r < hi; ++r) {
                     const float* p = in + r * c;
                     float* q = out + r * c;
                     for (int64_t k = 0; k < c; ++k)
                       q[k] = p[k] * a[static_cast<size_t>(k)] + b[static_cast<size_t>(k)];
                     act_.apply(q, c);
                   }
                 });
    return Status::ok();
  }

 private:
  float eps_ = 1e-5f;
  dnnl_util::FusedActivation act_;
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "NhwcBatchNormalization", 1, kMaxOpset, make_kernel<NhwcBatchNormKernel>);

}  // namespace parallax
