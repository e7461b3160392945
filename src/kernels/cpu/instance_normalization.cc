// InstanceNormalization (opsets 1-17): per (n, c) normalisation over the
// spatial dims, y = scale[c] * (x - mean) / sqrt(var + eps) + B[c].
#include <cmath>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class InstanceNormKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<InstanceNormKernel>();
    PX_ASSIGN_OR_RETURN(k->eps_, ctx.attrs().get_float("epsilon", 1e-5f));
    if (ctx.num_inputs() < 3) return error(StatusCode::kInvalidArgument, "InstanceNormalization needs 3 inputs");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (ctx.input_shape(0).size() < 2) return error(StatusCode::kInvalidArgument, "input must have rank >= 2");
    return infer_same_as_input0(ctx);
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    int64_t N = x.dim(0), C = x.dim(1);
    int64_t plane = N * C == 0 ? 0 : x.numel() / (N * C);
    if (ctx.input(1).numel() != C || ctx.input(2).numel() != C)
      return error(StatusCode::kInvalidArgument, "scale and B must have ", C, " elements");
    auto run = [&]<typename T>() -> Status {
      if (ctx.input(1).dtype() != x.dtype() || ctx.input(2).dtype() != x.dtype())
        return error(StatusCode::kInvalidArgument, "scale and B must have the input's element type");
      const T* xp = x.data<T>();
      const T* sc = ctx.input(1).data<T>();
      const T* bi = ctx.input(2).data<T>();
      T* yp = ctx.output(0).data<T>();
      double eps = eps_;
      parallel_for(ctx.num_threads(), N * C, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r) {
          int64_t c = r % C;
          const T* p = xp + r * plane;
          T* q = yp + r * plane;
          double s = 0, s2 = 0;
          for (int64_t i = 0; i < plane; ++i) s += static_cast<double>(p[i]);
          double m = plane > 0 ? s / static_cast<double>(plane) : 0;
          for (int64_t i = 0; i < plane; ++i) {
            double d = static_cast<double>(p[i]) - m;
            s2 += d * d;
          }
          double v = plane > 0 ? s2 / static_cast<double>(plane) : 0;
          double a = static_cast<double>(sc[c]) / std::sqrt(v + eps);
          T aa = static_cast<T>(a), bb = static_cast<T>(static_cast<double>(bi[c]) - m * a);
          for (int64_t i = 0; i < plane; ++i) q[i] = p[i] * aa + bb;
        }
      });
      return Status::ok();
    };
    return visit_float(x.dtype(), run);
  }

 private:
  float eps_ = 1e-5f;
};

}  // namespace

PX_REGISTER_KERNEL("", "InstanceNormalization", 1, kMaxOpset, make_kernel<InstanceNormKernel>);

}  // namespace parallax
