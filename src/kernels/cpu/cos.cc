// Cos: elementwise cosine (std::cos), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct CosOp {
  static constexpr const char* kName = "Cos";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::cos(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Cos", 7, kMaxOpset, make_kernel<UnaryKernel<CosOp>>);

}  // namespace parallax
