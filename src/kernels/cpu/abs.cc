// Abs: |x| for every numeric type (unsigned values pass through; INT_MIN wraps).
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct AbsOp {
  static constexpr const char* kName = "Abs";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::fabs(x);
    } else if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < 0 ? wrap_neg(x) : x;
    }
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Abs", 1, kMaxOpset, make_kernel<UnaryKernel<AbsOp>>);

}  // namespace parallax
