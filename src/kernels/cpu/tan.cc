// Tan: elementwise tangent (std::tan), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct TanOp {
  static constexpr const char* kName = "Tan";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::tan(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Tan", 7, kMaxOpset, make_kernel<UnaryKernel<TanOp>>);

}  // namespace parallax
