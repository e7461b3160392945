// LeakyRelu: x < 0 ? alpha * x : x; attribute alpha (0.01).
#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct LeakyReluOp {
  static constexpr const char* kName = "LeakyRelu";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  static Result<LeakyReluOp> make(const KernelCreateContext& ctx) {
    LeakyReluOp op;
    PX_ASSIGN_OR_RETURN(op.alpha, ctx.attrs().get_float("alpha", 0.01f));
    return op;
  }
  template <class T> T operator()(T x) const { return x < T(0) ? T(alpha) * x : x; }
  float alpha = 0.01f;
};

}  // namespace

PX_REGISTER_KERNEL("", "LeakyRelu", 1, kMaxOpset, make_kernel<UnaryKernel<LeakyReluOp>>);

}  // namespace parallax
