// Or: logical or of two bool tensors with numpy broadcasting.
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct OrOp {
  static constexpr const char* kName = "Or";
  template <class T> static constexpr bool accepts = kIsBool<T>;
  bool operator()(bool a, bool b) const { return a || b; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Or", 1, kMaxOpset, make_kernel<BinaryKernel<OrOp>>);

}  // namespace parallax
