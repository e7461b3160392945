// Equal: bool tensor a == b with numpy broadcasting, every numeric type and bool.
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct EqualOp {
  static constexpr const char* kName = "Equal";
  template <class T> static constexpr bool accepts = kIsBool<T> || kIsNumeric<T>;
  template <class T> bool operator()(T a, T b) const { return a == b; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Equal", 1, kMaxOpset, make_kernel<BinaryKernel<EqualOp>>);

}  // namespace parallax
