// Xor: logical exclusive or of two bool tensors with numpy broadcasting.
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct XorOp {
  static constexpr const char* kName = "Xor";
  template <class T> static constexpr bool accepts = kIsBool<T>;
  bool operator()(bool a, bool b) const { return a != b; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Xor", 1, kMaxOpset, make_kernel<BinaryKernel<XorOp>>);

}  // namespace parallax
