// Asinh: elementwise inverse hyperbolic sine (std::asinh), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct AsinhOp {
  static constexpr const char* kName = "Asinh";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::asinh(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Asinh", 9, kMaxOpset, make_kernel<UnaryKernel<AsinhOp>>);

}  // namespace parallax
