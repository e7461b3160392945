// Floor: elementwise round toward -inf (std::floor), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct FloorOp {
  static constexpr const char* kName = "Floor";
  static constexpr int64_t kCost = 1;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::floor(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Floor", 1, kMaxOpset, make_kernel<UnaryKernel<FloorOp>>);

}  // namespace parallax
