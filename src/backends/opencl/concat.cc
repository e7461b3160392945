// Concat of fp32 tensors along any axis: each input is one 2-D block copy
// (outer rows x its slice of the axis) into the output, one dispatch per
// non-empty input.
#include "backends/opencl/ops.h"
#include "core/status_macros.h"
#include "kernels/kernel_util.h"

namespace parallax::opencl {
namespace {

const char* const kSource = R"CL(
__kernel void px_copy_block(__global const float* src, __global float* dst, int inner_src, int inner_dst,
                            int offset) {
  const int i = get_global_id(0), o = get_global_id(1);
  dst[(size_t)o * inner_dst + offset + i] = src[(size_t)o * inner_src + i];
}
)CL";

class ConcatKernel final : public DeviceKernel {
 public:
  using DeviceKernel::DeviceKernel;

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    auto k = std::make_unique<ConcatKernel>(env);
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 1));
    PX_ASSIGN_OR_RETURN(k->kernel_, k->make_kernel(kSource, "px_copy_block"));
    for (size_t i = 0; i < ctx.num_inputs(); ++i) PX_RETURN_IF_ERROR(k->upload_constant(ctx, i));
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    Tensor& y = ctx.output(0);
    if (y.dtype() != DataType::kFloat32 || y.rank() == 0 || !fits_int(y.numel())) return false;
    auto axis = normalize_axis(axis_, static_cast<int64_t>(y.rank()));
    if (!axis.is_ok()) return false;
    const size_t ax = static_cast<size_t>(*axis);
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < ax; ++d) outer *= y.dim(d);
    for (size_t d = ax + 1; d < y.rank(); ++d) inner *= y.dim(d);
    int64_t along = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& x = ctx.input(i);
      if (x.dtype() != DataType::kFloat32 || x.rank() != y.rank()) return false;
      along += x.dim(ax);
    }
    if (along != y.dim(ax)) return false;
    if (y.numel() == 0) return true;
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    const cl_int inner_dst = ci(y.dim(ax) * inner);
    int64_t offset = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& x = ctx.input(i);
      const int64_t inner_src = x.dim(ax) * inner;
      if (x.numel() > 0) {
        PX_ASSIGN_OR_RETURN(cl_mem dx, input(ctx, i));
        PX_RETURN_IF_ERROR(set_args(kernel_, dx, dy, ci(inner_src), inner_dst, ci(offset)));
        size_t global[2] = {static_cast<size_t>(inner_src), static_cast<size_t>(outer)};
        PX_RETURN_IF_ERROR(dispatch(kernel_, 2, global));
      }
      offset += inner_src;
    }
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  int64_t axis_ = 1;
  ClKernel kernel_;
};

}  // namespace

bool supports_concat(const KernelCreateContext& ctx) {
  return ctx.num_inputs() >= 1 && ctx.num_outputs() == 1 && float_inputs(ctx, ctx.num_inputs()) &&
         only_attributes(ctx, {"axis"}) && (ctx.opset() < 4 || ctx.attrs().has("axis")) &&
         ctx.attrs().get_int("axis", 1).is_ok();
}

Result<std::unique_ptr<DeviceKernel>> make_concat(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return ConcatKernel::make(ctx, env);
}

}  // namespace parallax::opencl
