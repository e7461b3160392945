// Neg: -x for floating point and signed integers (INT_MIN wraps).
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct NegOp {
  static constexpr const char* kName = "Neg";
  template <class T> static constexpr bool accepts = kIsSignedNumeric<T>;
  template <class T> T operator()(T x) const { return wrap_neg(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Neg", 1, kMaxOpset, make_kernel<UnaryKernel<NegOp>>);

}  // namespace parallax
