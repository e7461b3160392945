// BatchNormalization (opsets 1-17). Inference: y = scale * (x - mean) /
// sqrt(var + eps) + B per channel (dim 1). training_mode=1 (opset 14+) uses
// the batch statistics and also returns the updated running mean / var.
// Before opset 9 a `spatial`=0 attribute means per-element (C x D1 x ...)
// statistics; that layout is handled by treating every non-batch element as
// its own channel.
#include <cmath>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class BatchNormKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<BatchNormKernel>();
    PX_ASSIGN_OR_RETURN(k->eps_, ctx.attrs().get_float("epsilon", 1e-5f));
    PX_ASSIGN_OR_RETURN(k->momentum_, ctx.attrs().get_float("momentum", 0.9f));
    PX_ASSIGN_OR_RETURN(int64_t spatial, ctx.attrs().get_int("spatial", 1));
    k->spatial_ = spatial != 0;
    PX_ASSIGN_OR_RETURN(int64_t training, ctx.attrs().get_int("training_mode", 0));
    k->training_ = training != 0;
    // An activation fused by graph/passes/fuse_conv_activation.cc (inference only).
    PX_ASSIGN_OR_RETURN(k->act_, dnnl_util::FusedActivation::parse(ctx));
    if (k->act_.residual || (k->act_.any() && k->training_))
      return error(StatusCode::kInvalidArgument, "BatchNormalization: unexpected fused attributes");
    if (ctx.opset() < 14 && ctx.num_outputs() > 1) {
      bool any = false;
      for (size_t i = 1; i < ctx.num_outputs(); ++i) any |= ctx.node().outputs[i].valid();
      if (any) return error(StatusCode::kUnsupported, "BatchNormalization training outputs before opset 14 are not supported");
    }
    if (ctx.num_inputs() < 5) return error(StatusCode::kInvalidArgument, "BatchNormalization needs 5 inputs");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    if (x.size() < 2) return error(StatusCode::kInvalidArgument, "X must have rank >= 2");
    ctx.set_output(0, ctx.input_dtype(0), x);
    for (size_t i = 1; i < 3; ++i)
      if (ctx.has_output(i)) ctx.set_output(i, ctx.input_dtype(2 + i), ctx.input_shape(2 + i));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    int64_t N = x.dim(0), C = x.dim(1);
    int64_t plane = N * C == 0 ? 0 : x.numel() / (N * C);
    if (!spatial_) {
      C = C * plane;
      plane = 1;
    }
    for (size_t i = 1; i < 5; ++i)
      if (ctx.input(i).numel() != C)
        return error(StatusCode::kInvalidArgument, "input ", i, " has ", ctx.input(i).numel(), " elements, expected ", C);
    auto run = [&]<typename T>() -> Status {
      for (size_t i = 1; i < 5; ++i)
        if (ctx.input(i).dtype() != x.dtype())
          return error(StatusCode::kUnsupported, "mixed element types in BatchNormalization are not supported");
      const T* xp = x.data<T>();
      const T* sc = ctx.input(1).data<T>();
      const T* bi = ctx.input(2).data<T>();
      const T* mean = ctx.input(3).data<T>();
      const T* var = ctx.input(4).data<T>();
      T* yp = ctx.output(0).data<T>();
      std::vector<T> a(static_cast<size_t>(C)), b(static_cast<size_t>(C));
      std::vector<double> bm(static_cast<size_t>(C)), bv(static_cast<size_t>(C));
      if (training_) {
        double cnt = static_cast<double>(N * plane);
        for (int64_t c = 0; c < C; ++c) {
          double s = 0, s2 = 0;
          for (int64_t n = 0; n < N; ++n) {
            const T* p = xp + (n * C + c) * plane;
            for (int64_t i = 0; i < plane; ++i) s += static_cast<double>(p[i]);
          }
          double m = cnt > 0 ? s / cnt : 0;
          for (int64_t n = 0; n < N; ++n) {
            const T* p = xp + (n * C + c) * plane;
            for (int64_t i = 0; i < plane; ++i) s2 += (static_cast<double>(p[i]) - m) * (static_cast<double>(p[i]) - m);
          }
          bm[c] = m;
          bv[c] = cnt > 0 ? s2 / cnt : 0;
        }
      }
      for (int64_t c = 0; c < C; ++c) {
        double m = training_ ? bm[c] : static_cast<double>(mean[c]);
        double v = training_ ? bv[c] : static_cast<double>(var[c]);
        double inv = 1.0 / std::sqrt(v + static_cast<double>(eps_));
        a[c] = static_cast<T>(static_cast<double>(sc[c]) * inv);
        b[c] = static_cast<T>(static_cast<double>(bi[c]) - m * static_cast<double>(sc[c]) * inv);
      }
      parallel_for(ctx.num_threads(), N * C, std::max<int64_t>(1, 16384 / std::max<int64_t>(plane, 1)),
                   [&](int64_t lo, int64_t hi) {
                     for (int64_t r = lo; r < hi; ++r) {
                       int64_t c = r % C;
                       const T* p = xp + r * plane;
                       T* q = yp + r * plane;
                       T aa = a[c], bb = b[c];
                       for (int64_t i = 0; i < plane; ++i) q[i] = p[i] * aa + bb;
                       act_.apply(q, plane);
                     }
                   });
      if (training_) {
        double mom = momentum_;
        if (ctx.has_output(1)) {
          T* rm = ctx.output(1).data<T>();
          for (int64_t c = 0; c < C; ++c) rm[c] = static_cast<T>(static_cast<double>(mean[c]) * mom + bm[c] * (1 - mom));
        }
        if (ctx.has_output(2)) {
          T* rv = ctx.output(2).data<T>();
          for (int64_t c = 0; c < C; ++c) rv[c] = static_cast<T>(static_cast<double>(var[c]) * mom + bv[c] * (1 - mom));
        }
      } else {
        // Outside training the optional outputs just pass the running stats through.
        if (ctx.has_output(1)) std::copy_n(mean, C, ctx.output(1).data<T>());
        if (ctx.has_output(2)) std::copy_n(var, C, ctx.output(2).data<T>());
      }
      return Status::ok();
    };
    return visit_float(x.dtype(), run);
  }

 private:
  float eps_ = 1e-5f, momentum_ = 0.9f;
  bool spatial_ = true, training_ = false;
  dnnl_util::FusedActivation act_;
};

}  // namespace

PX_REGISTER_KERNEL("", "BatchNormalization", 1, kMaxOpset, make_kernel<BatchNormKernel>);
// The fused form (graph/fused_ops.h): the same op with the epilogue its px_ attributes name.
PX_REGISTER_KERNEL("com.parallax", "BatchNormalization", 1, kMaxOpset, make_kernel<BatchNormKernel>);

}  // namespace parallax
