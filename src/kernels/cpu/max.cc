// Max: elementwise maximum of all inputs with broadcasting, every numeric type (NaN propagates).
#include "kernels/cpu/variadic_ops.h"

namespace parallax {
namespace {

struct MaxOp {
  static constexpr const char* kName = "Max";
  static constexpr bool kMean = false;
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return (a > b || a != a) ? a : b;
    } else {
      return a > b ? a : b;
    }
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Max", 1, kMaxOpset, make_kernel<VariadicKernel<MaxOp>>);

}  // namespace parallax
