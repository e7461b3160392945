// Sin: elementwise sine (std::sin), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SinOp {
  static constexpr const char* kName = "Sin";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::sin(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Sin", 7, kMaxOpset, make_kernel<UnaryKernel<SinOp>>);

}  // namespace parallax
