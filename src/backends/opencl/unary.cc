// Relu, Sigmoid, Tanh, Clip, LeakyRelu, HardSwish on fp32: one work item per
// element, the same activation code Conv fuses (kActivationSource).
// Clip's bounds must be constants (attributes before opset 11, constant
// inputs after): a bound computed at run time stays on the CPU.
#include <limits>
#include <optional>

#include "backends/opencl/ops.h"
#include "core/status_macros.h"

namespace parallax::opencl {
namespace {

const std::string& source() {
  static const std::string s = std::string(kActivationSource) + R"CL(
__kernel void px_unary(__global const float* x, __global float* y, int act, float a, float b) {
  int i = get_global_id(0);
  y[i] = px_activate(x[i], act, a, b);
}
)CL";
  return s;
}

// The constant Clip bound at input i (absent: `fallback`); nullopt if not constant.
std::optional<float> clip_bound(const KernelCreateContext& ctx, size_t i, float fallback) {
  if (!ctx.has_input(i)) return fallback;
  const Tensor* t = ctx.constant_input(i);
  if (!t || t->dtype() != DataType::kFloat32 || t->numel() != 1) return std::nullopt;
  return *t->data<float>();
}

struct Activation {
  cl_int code = kActNone;
  float a = 0, b = 0;
};

std::optional<Activation> parse(const KernelCreateContext& ctx) {
  const std::string& op = ctx.node().op_type;
  Activation act;
  if (op == "Relu" && ctx.opset() >= 6 && only_attributes(ctx, {}))
    act.code = kActRelu;
  else if (op == "Sigmoid" && ctx.opset() >= 6 && only_attributes(ctx, {}))
    act.code = kActSigmoid;
  else if (op == "Tanh" && ctx.opset() >= 6 && only_attributes(ctx, {}))
    act.code = kActTanh;
  else if (op == "HardSwish" && only_attributes(ctx, {}))
    act.code = kActHardSwish;
  else if (op == "LeakyRelu" && ctx.opset() >= 6 && only_attributes(ctx, {"alpha"})) {
    auto alpha = ctx.attrs().get_float("alpha", 0.01f);
    if (!alpha.is_ok()) return std::nullopt;
    act = {kActLeakyRelu, *alpha, 0};
  } else if (op == "Clip") {
    float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
    if (ctx.opset() < 11) {
      if (ctx.opset() < 6 || !only_attributes(ctx, {"min", "max"})) return std::nullopt;
      auto a = ctx.attrs().get_float("min", lo), b = ctx.attrs().get_float("max", hi);
      if (!a.is_ok() || !b.is_ok()) return std::nullopt;
      lo = *a, hi = *b;
    } else {
      if (!only_attributes(ctx, {})) return std::nullopt;
      auto a = clip_bound(ctx, 1, lo), b = clip_bound(ctx, 2, hi);
      if (!a || !b) return std::nullopt;
      lo = *a, hi = *b;
    }
    act = {kActClip, lo, hi};
  } else {
    return std::nullopt;
  }
  return act;
}

class UnaryKernel final : public DeviceKernel {
 public:
  UnaryKernel(const DeviceEnv& env, Activation act) : DeviceKernel(env), act_(act) {}

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    std::optional<Activation> act = parse(ctx);
    if (!act) return error(StatusCode::kUnsupported, "OpenCL: unsupported ", ctx.node().op_type, " attributes");
    auto k = std::make_unique<UnaryKernel>(env, *act);
    PX_ASSIGN_OR_RETURN(k->kernel_, k->make_kernel(source(), "px_unary"));
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (x.dtype() != DataType::kFloat32 || y.shape() != x.shape() || !fits_int(x.numel())) return false;
    if (y.numel() == 0) return true;
    PX_ASSIGN_OR_RETURN(cl_mem dx, input(ctx, 0));
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    PX_RETURN_IF_ERROR(set_args(kernel_, dx, dy, act_.code, act_.a, act_.b));
    size_t global = static_cast<size_t>(y.numel());
    PX_RETURN_IF_ERROR(dispatch(kernel_, 1, &global));
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  Activation act_;
  ClKernel kernel_;
};

}  // namespace

bool supports_unary(const KernelCreateContext& ctx) {
  return ctx.num_outputs() == 1 && ctx.num_inputs() >= 1 && float_inputs(ctx, 1) && parse(ctx).has_value();
}

Result<std::unique_ptr<DeviceKernel>> make_unary(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return UnaryKernel::make(ctx, env);
}

}  // namespace parallax::opencl
