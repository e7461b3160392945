// Swish (SiLU): x * sigmoid(x), the activation of EfficientNet, YOLOv5/8 and
// the SE blocks of many CNNs. ONNX spells it Mul(x, Sigmoid(x)); the
// fuse_gated_activation pass makes it one node of this internal op, which the
// Conv fusion then absorbs as a oneDNN post-op (one pass over the output
// instead of three).
#include <cmath>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct SwishOp {
  static constexpr const char* kName = "Swish";
  static constexpr bool kVectorized = true;
  static constexpr int64_t kCost = 5;
  template <class T>
  static constexpr bool accepts = kIsFloat<T>;
  float operator()(float x) const { return x * vmath::sigmoid(x); }
  simd::F32 operator()(simd::F32 x) const { return x * vmath::sigmoid(x); }
  double operator()(double x) const { return x / (1.0 + std::exp(-x)); }
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "Swish", 1, kMaxOpset, make_kernel<UnaryKernel<SwishOp>>);

}  // namespace parallax
