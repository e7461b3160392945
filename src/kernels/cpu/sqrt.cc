// Sqrt: elementwise square root (std::sqrt), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SqrtOp {
  static constexpr const char* kName = "Sqrt";
  static constexpr int64_t kCost = 1;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::sqrt(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Sqrt", 1, kMaxOpset, make_kernel<UnaryKernel<SqrtOp>>);

}  // namespace parallax
