// Add: a + b with numpy broadcasting, every numeric type (integers wrap).
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct AddOp {
  static constexpr const char* kName = "Add";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> T operator()(T a, T b) const { return wrap_add(a, b); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Add", 1, kMaxOpset, make_kernel<BinaryKernel<AddOp>>);

}  // namespace parallax
