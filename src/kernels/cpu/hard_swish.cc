// HardSwish: x * max(0, min(1, x / 6 + 0.5)).
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct HardSwishOp {
  static constexpr const char* kName = "HardSwish";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const {
    T v = x * T(1.0 / 6.0) + T(0.5);
    v = v > T(0) ? v : T(0);
    v = v < T(1) ? v : T(1);
    return x * v;
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "HardSwish", 14, kMaxOpset, make_kernel<UnaryKernel<HardSwishOp>>);

}  // namespace parallax
