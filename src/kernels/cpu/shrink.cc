// Shrink: x < -lambd ? x + bias : (x > lambd ? x - bias : 0); attributes lambd (0.5), bias (0). Integer inputs compute in double and narrow,
// saturating.
#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct ShrinkOp {
  static constexpr const char* kName = "Shrink";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  static Result<ShrinkOp> make(const KernelCreateContext& ctx) {
    ShrinkOp op;
    PX_ASSIGN_OR_RETURN(op.lambd, ctx.attrs().get_float("lambd", 0.5f));
    PX_ASSIGN_OR_RETURN(op.bias, ctx.attrs().get_float("bias", 0.0f));
    return op;
  }
  template <class T> T operator()(T x) const {
    using C = std::conditional_t<kIsFloat<T>, T, double>;
    C v = static_cast<C>(x), l = static_cast<C>(lambd), b = static_cast<C>(bias);
    const C r = v < -l ? v + b : (v > l ? v - b : C(0));
    if constexpr (kIsFloat<T>) {
      return r;
    } else {
      return saturate_cast<T>(r);  // 65535 + 2, or a NaN or infinite bias
    }
  }
  float lambd = 0.5f, bias = 0.0f;
};

}  // namespace

PX_REGISTER_KERNEL("", "Shrink", 9, kMaxOpset, make_kernel<UnaryKernel<ShrinkOp>>);

}  // namespace parallax
