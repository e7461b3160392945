// Mod: remainder with numpy broadcasting. fmod=0 (default): the result takes the divisor's sign (Python %); fmod=1: C fmod / %, the dividend's sign. A zero integer divisor is an error.
#include <cmath>

#include "core/status_macros.h"
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct ModOp {
  static constexpr const char* kName = "Mod";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  static Result<ModOp> make(const KernelCreateContext& ctx) {
    ModOp op;
    PX_ASSIGN_OR_RETURN(int64_t f, ctx.attrs().get_int("fmod", 0));
    if (f != 0 && f != 1) return error(StatusCode::kInvalidArgument, "Mod: attribute 'fmod' must be 0 or 1, got ", f);
    op.fmod = f == 1;
    return op;
  }
  template <class T> Status check(const Tensor& a, const Tensor& b) const { return check_no_zero_divisor<T>(kName, b); }
  template <class T> T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      T r = std::fmod(a, b);
      if (!fmod && r != T(0) && ((r < T(0)) != (b < T(0)))) r += b;
      return r;
    } else if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(a % b);
    } else {
      if (b == T(-1)) return T(0);  // INT_MIN % -1 would trap
      T r = static_cast<T>(a % b);
      if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    }
  }
  bool fmod = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "Mod", 10, kMaxOpset, make_kernel<BinaryKernel<ModOp>>);

}  // namespace parallax
