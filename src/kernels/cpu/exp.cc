// Exp: e^x (float32 through the vectorised exp of elementwise_math.h).
#include <cmath>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct ExpOp {
  static constexpr const char* kName = "Exp";
  static constexpr bool kVectorized = true;
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  float operator()(float x) const { return vmath::exp(x); }
  simd::F32 operator()(simd::F32 x) const { return vmath::exp(x); }
  double operator()(double x) const { return std::exp(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Exp", 1, kMaxOpset, make_kernel<UnaryKernel<ExpOp>>);

}  // namespace parallax
