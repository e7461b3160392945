// Softplus: log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it neither overflows nor loses small values.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SoftplusOp {
  static constexpr const char* kName = "Softplus";
  static constexpr int64_t kCost = 8;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const {
    T a = std::fabs(x);
    return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-a));
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Softplus", 1, kMaxOpset, make_kernel<UnaryKernel<SoftplusOp>>);

}  // namespace parallax
