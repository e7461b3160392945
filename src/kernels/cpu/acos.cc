// Acos: elementwise arccosine (std::acos), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct AcosOp {
  static constexpr const char* kName = "Acos";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::acos(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Acos", 7, kMaxOpset, make_kernel<UnaryKernel<AcosOp>>);

}  // namespace parallax
