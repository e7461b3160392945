// Acosh: elementwise inverse hyperbolic cosine (std::acosh), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct AcoshOp {
  static constexpr const char* kName = "Acosh";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::acosh(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Acosh", 9, kMaxOpset, make_kernel<UnaryKernel<AcoshOp>>);

}  // namespace parallax
