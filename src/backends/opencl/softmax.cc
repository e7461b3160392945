// Softmax over contiguous rows, fp32. Opset 13+: the last axis only (another
// axis runs on the CPU); before 13 the input is coerced to 2-D at `axis`, so
// a row is everything from `axis` on, which is contiguous for any axis.
// One work item per row: max, sum of exp(x - max), scale.
#include "backends/opencl/ops.h"
#include "core/status_macros.h"
#include "kernels/kernel_util.h"

namespace parallax::opencl {
namespace {

const char* const kSource = R"CL(
__kernel void px_softmax_rows(__global const float* x, __global float* y, int cols) {
  const size_t base = (size_t)get_global_id(0) * cols;
  float m = -INFINITY;
  for (int i = 0; i < cols; ++i) m = fmax(m, x[base + i]);
  float sum = 0.0f;
  for (int i = 0; i < cols; ++i) {
    const float e = exp(x[base + i] - m);
    y[base + i] = e;
    sum += e;
  }
  const float inv = 1.0f / sum;
  for (int i = 0; i < cols; ++i) y[base + i] *= inv;
}
)CL";

class SoftmaxKernel final : public DeviceKernel {
 public:
  using DeviceKernel::DeviceKernel;

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    auto k = std::make_unique<SoftmaxKernel>(env);
    k->coerce_2d_ = ctx.opset() < 13;
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", k->coerce_2d_ ? 1 : -1));
    PX_ASSIGN_OR_RETURN(k->kernel_, k->make_kernel(kSource, "px_softmax_rows"));
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (x.dtype() != DataType::kFloat32 || x.rank() == 0 || y.shape() != x.shape() || !fits_int(x.numel()))
      return false;
    auto axis = normalize_axis(axis_, static_cast<int64_t>(x.rank()));
    if (!axis.is_ok()) return false;
    if (!coerce_2d_ && *axis != static_cast<int64_t>(x.rank()) - 1) return false;
    int64_t cols = 1;
    for (size_t d = static_cast<size_t>(*axis); d < x.rank(); ++d) cols *= x.dim(d);
    if (x.numel() == 0) return true;
    PX_ASSIGN_OR_RETURN(cl_mem dx, input(ctx, 0));
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    PX_RETURN_IF_ERROR(set_args(kernel_, dx, dy, ci(cols)));
    size_t global = static_cast<size_t>(x.numel() / cols);
    PX_RETURN_IF_ERROR(dispatch(kernel_, 1, &global));
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  bool coerce_2d_ = false;
  int64_t axis_ = -1;
  ClKernel kernel_;
};

}  // namespace

bool supports_softmax(const KernelCreateContext& ctx) {
  return ctx.num_inputs() == 1 && ctx.num_outputs() == 1 && float_inputs(ctx, 1) && only_attributes(ctx, {"axis"}) &&
         ctx.attrs().get_int("axis", 0).is_ok();
}

Result<std::unique_ptr<DeviceKernel>> make_softmax(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return SoftmaxKernel::make(ctx, env);
}

}  // namespace parallax::opencl
