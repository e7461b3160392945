// Round: round half to even (std::nearbyint under the default rounding mode), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct RoundOp {
  static constexpr const char* kName = "Round";
  static constexpr int64_t kCost = 1;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::nearbyint(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Round", 11, kMaxOpset, make_kernel<UnaryKernel<RoundOp>>);

}  // namespace parallax
