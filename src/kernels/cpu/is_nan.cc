// IsNaN: bool tensor, true where x is NaN.
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct IsNaNOp {
  static constexpr const char* kName = "IsNaN";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> bool operator()(T x) const { return x != x; }
};

}  // namespace

PX_REGISTER_KERNEL("", "IsNaN", 9, kMaxOpset, make_kernel<UnaryKernel<IsNaNOp>>);

}  // namespace parallax
