// Elu: x < 0 ? alpha * (e^x - 1) : x; attribute alpha (1.0).
#include <cmath>

#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct EluOp {
  static constexpr const char* kName = "Elu";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  static Result<EluOp> make(const KernelCreateContext& ctx) {
    EluOp op;
    PX_ASSIGN_OR_RETURN(op.alpha, ctx.attrs().get_float("alpha", 1.0f));
    return op;
  }
  template <class T> T operator()(T x) const { return x < T(0) ? T(alpha) * std::expm1(x) : x; }
  float alpha = 1.0f;
};

}  // namespace

PX_REGISTER_KERNEL("", "Elu", 1, kMaxOpset, make_kernel<UnaryKernel<EluOp>>);

}  // namespace parallax
