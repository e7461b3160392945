// Atan: elementwise arctangent (std::atan), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct AtanOp {
  static constexpr const char* kName = "Atan";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::atan(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Atan", 7, kMaxOpset, make_kernel<UnaryKernel<AtanOp>>);

}  // namespace parallax
