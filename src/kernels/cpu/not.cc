// Not: logical negation of a bool tensor.
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct NotOp {
  static constexpr const char* kName = "Not";
  template <class T> static constexpr bool accepts = kIsBool<T>;
  bool operator()(bool x) const { return !x; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Not", 1, kMaxOpset, make_kernel<UnaryKernel<NotOp>>);

}  // namespace parallax
