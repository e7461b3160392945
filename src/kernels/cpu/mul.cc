// Mul: a * b with numpy broadcasting, every numeric type (integers wrap).
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct MulOp {
  static constexpr const char* kName = "Mul";
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> T operator()(T a, T b) const { return wrap_mul(a, b); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Mul", 1, kMaxOpset, make_kernel<BinaryKernel<MulOp>>);

}  // namespace parallax
