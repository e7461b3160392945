// Erf: the error function. float32 uses the vectorised erf of elementwise_math.h; integer inputs are computed in double and truncated, as the spec allows every numeric type.
#include <cmath>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct ErfOp {
  static constexpr const char* kName = "Erf";
  static constexpr int64_t kCost = 6;
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  static constexpr bool kVectorized = true;
  simd::F32 operator()(simd::F32 x) const { return vmath::erf(x); }
  template <class T> T operator()(T x) const {
    if constexpr (std::is_same_v<T, float>) {
      return vmath::erf(x);
    } else {
      return static_cast<T>(std::erf(static_cast<double>(x)));
    }
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Erf", 9, kMaxOpset, make_kernel<UnaryKernel<ErfOp>>);

}  // namespace parallax
