// Sinh: elementwise hyperbolic sine (std::sinh), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SinhOp {
  static constexpr const char* kName = "Sinh";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::sinh(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Sinh", 9, kMaxOpset, make_kernel<UnaryKernel<SinhOp>>);

}  // namespace parallax
