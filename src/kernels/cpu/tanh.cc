// Tanh: hyperbolic tangent (float32 vectorised through elementwise_math.h).
#include <cmath>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct TanhOp {
  static constexpr const char* kName = "Tanh";
  static constexpr bool kVectorized = true;
  static constexpr int64_t kCost = 6;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  float operator()(float x) const { return vmath::tanh(x); }
  simd::F32 operator()(simd::F32 x) const { return vmath::tanh(x); }
  double operator()(double x) const { return std::tanh(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Tanh", 1, kMaxOpset, make_kernel<UnaryKernel<TanhOp>>);

}  // namespace parallax
