// Softsign: x / (1 + |x|).
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SoftsignOp {
  static constexpr const char* kName = "Softsign";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return x / (T(1) + std::fabs(x)); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Softsign", 1, kMaxOpset, make_kernel<UnaryKernel<SoftsignOp>>);

}  // namespace parallax
