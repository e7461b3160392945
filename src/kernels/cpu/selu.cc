// Selu: gamma * (x > 0 ? x : alpha * (e^x - 1)); attributes alpha, gamma (the SELU constants).
#include <cmath>

#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SeluOp {
  static constexpr const char* kName = "Selu";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  static Result<SeluOp> make(const KernelCreateContext& ctx) {
    SeluOp op;
    PX_ASSIGN_OR_RETURN(op.alpha, ctx.attrs().get_float("alpha", 1.67326319217681884765625f));
    PX_ASSIGN_OR_RETURN(op.gamma, ctx.attrs().get_float("gamma", 1.05070102214813232421875f));
    return op;
  }
  template <class T> T operator()(T x) const {
    return x > T(0) ? T(gamma) * x : T(gamma) * T(alpha) * std::expm1(x);
  }
  float alpha = 1.67326319217681884765625f, gamma = 1.05070102214813232421875f;
};

}  // namespace

PX_REGISTER_KERNEL("", "Selu", 1, kMaxOpset, make_kernel<UnaryKernel<SeluOp>>);

}  // namespace parallax
