// Cosh: elementwise hyperbolic cosine (std::cosh), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct CoshOp {
  static constexpr const char* kName = "Cosh";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::cosh(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Cosh", 9, kMaxOpset, make_kernel<UnaryKernel<CoshOp>>);

}  // namespace parallax
