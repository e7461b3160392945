// Atanh: elementwise inverse hyperbolic tangent (std::atanh), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct AtanhOp {
  static constexpr const char* kName = "Atanh";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::atanh(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Atanh", 9, kMaxOpset, make_kernel<UnaryKernel<AtanhOp>>);

}  // namespace parallax
