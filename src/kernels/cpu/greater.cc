// Greater: bool tensor a > b with numpy broadcasting, numeric types.
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct GreaterOp {
  static constexpr const char* kName = "Greater";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> bool operator()(T a, T b) const { return a > b; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Greater", 1, kMaxOpset, make_kernel<BinaryKernel<GreaterOp>>);

}  // namespace parallax
