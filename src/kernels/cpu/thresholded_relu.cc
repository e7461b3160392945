// ThresholdedRelu: x > alpha ? x : 0; attribute alpha (1.0).
#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct ThresholdedReluOp {
  static constexpr const char* kName = "ThresholdedRelu";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  static Result<ThresholdedReluOp> make(const KernelCreateContext& ctx) {
    ThresholdedReluOp op;
    PX_ASSIGN_OR_RETURN(op.alpha, ctx.attrs().get_float("alpha", 1.0f));
    return op;
  }
  template <class T> T operator()(T x) const { return x > T(alpha) ? x : T(0); }
  float alpha = 1.0f;
};

}  // namespace

PX_REGISTER_KERNEL("", "ThresholdedRelu", 10, kMaxOpset, make_kernel<UnaryKernel<ThresholdedReluOp>>);

}  // namespace parallax
