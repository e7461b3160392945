// Celu: max(0, x) + min(0, alpha * (e^(x / alpha) - 1)); attribute alpha (1.0, nonzero).
#include <cmath>

#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct CeluOp {
  static constexpr const char* kName = "Celu";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  static Result<CeluOp> make(const KernelCreateContext& ctx) {
    CeluOp op;
    PX_ASSIGN_OR_RETURN(op.alpha, ctx.attrs().get_float("alpha", 1.0f));
    if (op.alpha == 0.0f) return error(StatusCode::kInvalidArgument, "Celu: attribute 'alpha' must not be 0");
    return op;
  }
  template <class T> T operator()(T x) const {
    return x > T(0) ? x : T(alpha) * std::expm1(x / T(alpha));
  }
  float alpha = 1.0f;
};

}  // namespace

PX_REGISTER_KERNEL("", "Celu", 12, kMaxOpset, make_kernel<UnaryKernel<CeluOp>>);

}  // namespace parallax
