// Sign: -1, 0 or 1 by the sign of x, any numeric type (NaN stays NaN).
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SignOp {
  static constexpr const char* kName = "Sign";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x > 0 ? T(1) : T(0);
    } else {
      return x > 0 ? T(1) : (x < 0 ? T(-1) : x);  // x is 0, -0 or NaN here
    }
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Sign", 9, kMaxOpset, make_kernel<UnaryKernel<SignOp>>);

}  // namespace parallax
