// IsInf: bool tensor, true where x is +inf (if detect_positive, default 1) or -inf (if detect_negative, default 1).
#include <limits>

#include "core/status_macros.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct IsInfOp {
  static constexpr const char* kName = "IsInf";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  static Result<IsInfOp> make(const KernelCreateContext& ctx) {
    IsInfOp op;
    PX_ASSIGN_OR_RETURN(int64_t pos, ctx.attrs().get_int("detect_positive", 1));
    PX_ASSIGN_OR_RETURN(int64_t neg, ctx.attrs().get_int("detect_negative", 1));
    op.positive = pos != 0;
    op.negative = neg != 0;
    return op;
  }
  template <class T> bool operator()(T x) const {
    constexpr T inf = std::numeric_limits<T>::infinity();
    return (positive && x == inf) || (negative && x == -inf);
  }
  bool positive = true, negative = true;
};

}  // namespace

PX_REGISTER_KERNEL("", "IsInf", 10, kMaxOpset, make_kernel<UnaryKernel<IsInfOp>>);

}  // namespace parallax
