// And: logical and of two bool tensors with numpy broadcasting.
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct AndOp {
  static constexpr const char* kName = "And";
  template <class T> static constexpr bool accepts = kIsBool<T>;
  bool operator()(bool a, bool b) const { return a && b; }
};

}  // namespace

PX_REGISTER_KERNEL("", "And", 1, kMaxOpset, make_kernel<BinaryKernel<AndOp>>);

}  // namespace parallax
