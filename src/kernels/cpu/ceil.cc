// Ceil: elementwise round toward +inf (std::ceil), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct CeilOp {
  static constexpr const char* kName = "Ceil";
  static constexpr int64_t kCost = 1;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::ceil(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Ceil", 1, kMaxOpset, make_kernel<UnaryKernel<CeilOp>>);

}  // namespace parallax
