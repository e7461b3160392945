// Gelu, exact (erf) form: y = x/2 * (1 + erf(x/sqrt(2))). ONNX has it from
// opset 20 (approximate="none"; "tanh" is the other form); older exporters
// spell it out in five ops, which graph/passes/fuse_gelu.cc turns into
// com.parallax.Gelu so that the tensor is read once instead of five times.
#include <cmath>
#include <string>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct GeluOp {
  static constexpr const char* kName = "Gelu";
  static constexpr int64_t kCost = 8;
  template <class T> static constexpr bool accepts = std::is_floating_point_v<T>;

  static Result<GeluOp> make(const KernelCreateContext& ctx) {
    PX_ASSIGN_OR_RETURN(std::string approximate, ctx.attrs().get_string("approximate", "none"));
    if (approximate == "none") return GeluOp{false};
    if (approximate == "tanh") return GeluOp{true};
    return error(StatusCode::kInvalidArgument, "Gelu: approximate must be 'none' or 'tanh', not '", approximate, "'");
  }

  template <class T> T operator()(T x) const {
    if (tanh_form) {
      const T inner = T(0.7978845608028654) * (x + T(0.044715) * x * x * x);
      return T(0.5) * x * (T(1) + std::tanh(inner));
    }
    if constexpr (std::is_same_v<T, float>) {
      return 0.5f * x * (1.0f + vmath::erf_f32(x * 0.70710678118654752f));
    } else {
      return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752)));
    }
  }

  bool tanh_form = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "Gelu", 20, kMaxOpset, make_kernel<UnaryKernel<GeluOp>>);
PX_REGISTER_KERNEL("com.parallax", "Gelu", 1, kMaxOpset, make_kernel<UnaryKernel<GeluOp>>);

}  // namespace parallax
