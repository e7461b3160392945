// HardSigmoid: max(0, min(1, alpha * x + beta)); attributes alpha (0.2), beta (0.5).
#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct HardSigmoidOp {
  static constexpr const char* kName = "HardSigmoid";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  static Result<HardSigmoidOp> make(const KernelCreateContext& ctx) {
    HardSigmoidOp op;
    PX_ASSIGN_OR_RETURN(op.alpha, ctx.attrs().get_float("alpha", 0.2f));
    PX_ASSIGN_OR_RETURN(op.beta, ctx.attrs().get_float("beta", 0.5f));
    return op;
  }
  template <class T> T operator()(T x) const {
    T v = T(alpha) * x + T(beta);
    v = v > T(0) ? v : T(0);
    return v < T(1) ? v : T(1);
  }
  float alpha = 0.2f, beta = 0.5f;
};

}  // namespace

PX_REGISTER_KERNEL("", "HardSigmoid", 1, kMaxOpset, make_kernel<UnaryKernel<HardSigmoidOp>>);

}  // namespace parallax
