// Shared by HannWindow, HammingWindow and BlackmanWindow (opset 17): a
// cosine-sum window of `size` (input 0, scalar) points, periodic (default)
// or symmetric, in the type named by output_datatype (default float32).
//   w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N),  N = periodic ? size : size - 1
#pragma once

#include <cmath>
#include <numbers>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace window_detail {

struct Coeffs {
  double a0, a1, a2;
};

template <Coeffs (*kCoeffs)()>
class WindowKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<WindowKernel>();
    PX_ASSIGN_OR_RETURN(int64_t dt, ctx.attrs().get_int("output_datatype", 1));
    PX_ASSIGN_OR_RETURN(int64_t periodic, ctx.attrs().get_int("periodic", 1));
    k->dtype_ = static_cast<DataType>(dt);
    if (!is_supported(k->dtype_) || k->dtype_ == DataType::kBool || k->dtype_ == DataType::kString)
      return error(StatusCode::kUnsupported, "window: output_datatype ", dt, " is not supported");
    k->periodic_ = periodic != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* t = ctx.input_value(0);
    if (t == nullptr) return ctx.defer();
    PX_ASSIGN_OR_RETURN(double size, read_scalar(*t));
    // NaN, infinite and huge sizes have no int64 (the conversion is undefined).
    if (!(size >= 0 && size <= static_cast<double>(kMaxShapeExtent)))
      return error(StatusCode::kInvalidArgument, "window: size must be in [0, 2^31], got ", size);
    ctx.set_output(0, dtype_, {static_cast<int64_t>(size)});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    Tensor& y = ctx.output(0);
    const int64_t size = y.numel();
    const Coeffs c = kCoeffs();
    const double N = periodic_ ? static_cast<double>(size) : static_cast<double>(size - 1);
    return visit_numeric(y.dtype(), [&]<typename T>() {
      T* out = y.data<T>();
      for (int64_t n = 0; n < size; ++n) {
        const double x = N == 0 ? 0.0 : 2.0 * std::numbers::pi * static_cast<double>(n) / N;
        out[n] = static_cast<T>(c.a0 - c.a1 * std::cos(x) + c.a2 * std::cos(2.0 * x));
      }
      return Status::ok();
    });
  }

 private:
  DataType dtype_ = DataType::kFloat32;
  bool periodic_ = true;
};

}  // namespace window_detail
}  // namespace parallax
