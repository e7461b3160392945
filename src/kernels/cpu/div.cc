// Div: a / b with numpy broadcasting. Integer division truncates toward zero like C; a zero integer divisor is an error.
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct DivOp {
  static constexpr const char* kName = "Div";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> Status check(const Tensor& a, const Tensor& b) const { return check_no_zero_divisor<T>(kName, b); }
  template <class T> T operator()(T a, T b) const {
    if constexpr (kIsSignedNumeric<T> && kIsInteger<T>) {
      return b == T(-1) ? wrap_neg(a) : static_cast<T>(a / b);  // INT_MIN / -1 wraps instead of trapping
    } else {
      return static_cast<T>(a / b);
    }
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Div", 1, kMaxOpset, make_kernel<BinaryKernel<DivOp>>);

}  // namespace parallax
