// Gelu, exact (erf) form: y = x/2 * (1 + erf(x/sqrt(2))), or the tanh form.
// ONNX has it from opset 20 (approximate="none" | "tanh"); older exporters
// spell it out in five ops, which graph/passes/fuse_gelu.cc turns into
// com.parallax.Gelu so that the tensor is read once instead of five times.
//
// One op type per form, chosen when the kernel is made: a branch on the form
// inside the element function (and std::tanh) kept the float loop from
// vectorising (whisper_tiny_encoder's two Gelus after its convolutions took
// 7.2 ms per run at 2 threads for 1.7 M elements).
#include <cmath>
#include <string>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct GeluErfOp {
  static constexpr const char* kName = "Gelu";
  static constexpr int64_t kCost = 8;
  template <class T> static constexpr bool accepts = std::is_floating_point_v<T>;

  static constexpr bool kVectorized = true;
  simd::F32 operator()(simd::F32 x) const { return 0.5f * x * (1.0f + vmath::erf(x * 0.70710678118654752f)); }
  template <class T> T operator()(T x) const {
    if constexpr (std::is_same_v<T, float>) {
      return 0.5f * x * (1.0f + vmath::erf(x * 0.70710678118654752f));
    } else {
      return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752)));
    }
  }
};

struct GeluTanhOp {
  static constexpr const char* kName = "Gelu";
  static constexpr int64_t kCost = 8;
  template <class T> static constexpr bool accepts = std::is_floating_point_v<T>;

  static constexpr bool kVectorized = true;
  simd::F32 operator()(simd::F32 x) const {
    const simd::F32 inner = 0.7978845608028654f * (x + 0.044715f * x * x * x);
    return 0.5f * x * (1.0f + vmath::tanh(inner));
  }
  template <class T> T operator()(T x) const {
    const T inner = T(0.7978845608028654) * (x + T(0.044715) * x * x * x);
    if constexpr (std::is_same_v<T, float>) {
      return 0.5f * x * (1.0f + vmath::tanh(inner));
    } else {
      return T(0.5) * x * (T(1) + std::tanh(inner));
    }
  }
};

Result<std::unique_ptr<OpKernel>> make_gelu(const KernelCreateContext& ctx) {
  PX_ASSIGN_OR_RETURN(std::string approximate, ctx.attrs().get_string("approximate", "none"));
  if (approximate == "none") return make_kernel<UnaryKernel<GeluErfOp>>(ctx);
  if (approximate == "tanh") return make_kernel<UnaryKernel<GeluTanhOp>>(ctx);
  return error(StatusCode::kInvalidArgument, "Gelu: approximate must be 'none' or 'tanh', not '", approximate, "'");
}

}  // namespace

PX_REGISTER_KERNEL("", "Gelu", 20, kMaxOpset, make_gelu);
PX_REGISTER_KERNEL("com.parallax", "Gelu", 1, kMaxOpset, make_gelu);

}  // namespace parallax
