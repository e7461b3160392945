// Sigmoid: 1 / (1 + e^-x) (float32 vectorised through elementwise_math.h).
#include <cmath>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SigmoidOp {
  static constexpr const char* kName = "Sigmoid";
  static constexpr bool kVectorized = true;
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  float operator()(float x) const { return vmath::sigmoid(x); }
  simd::F32 operator()(simd::F32 x) const { return vmath::sigmoid(x); }
  double operator()(double x) const { return 1.0 / (1.0 + std::exp(-x)); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Sigmoid", 1, kMaxOpset, make_kernel<UnaryKernel<SigmoidOp>>);

}  // namespace parallax
