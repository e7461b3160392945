// Sub: a - b with numpy broadcasting, every numeric type (integers wrap).
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct SubOp {
  static constexpr const char* kName = "Sub";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> T operator()(T a, T b) const { return wrap_sub(a, b); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Sub", 1, kMaxOpset, make_kernel<BinaryKernel<SubOp>>);

}  // namespace parallax
