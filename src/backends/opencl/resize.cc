// Resize, nearest mode, fp32, rank <= 4: every coordinate_transformation_mode
// but tf_crop_and_resize and every nearest_mode. The source index of each
// output coordinate is computed on the host by the CPU kernel's own code
// (kernels/cpu/resize.h, build_taps), once per shape, and uploaded as a
// table; the device gathers. So rounding is the CPU's by construction.
// Opset 18+ attributes (antialias, axes, keep_aspect_ratio_policy) are refused.
#include "backends/opencl/ops.h"
#include "core/status_macros.h"
#include "kernels/cpu/resize.h"

namespace parallax::opencl {
namespace {

const char* const kSource = R"CL(
__kernel void px_gather_nearest4(__global const float* x, __global float* y, __global const int* table,
                                 int4 in_dims, int4 out_dims, int4 table_off) {
  int i = get_global_id(0);
  const int o3 = i % out_dims.s3; i /= out_dims.s3;
  const int o2 = i % out_dims.s2; i /= out_dims.s2;
  const int o1 = i % out_dims.s1; i /= out_dims.s1;
  const int o0 = i;
  const int t0 = table[table_off.s0 + o0], t1 = table[table_off.s1 + o1];
  const int t2 = table[table_off.s2 + o2], t3 = table[table_off.s3 + o3];
  y[get_global_id(0)] = x[((t0 * in_dims.s1 + t1) * in_dims.s2 + t2) * in_dims.s3 + t3];
}
)CL";

class ResizeKernel final : public DeviceKernel {
 public:
  using DeviceKernel::DeviceKernel;

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    auto k = std::make_unique<ResizeKernel>(env);
    k->legacy_ = ctx.opset() < 11;
    PX_ASSIGN_OR_RETURN(k->opts_, resize::Options::parse(ctx.attrs(), k->legacy_));
    PX_ASSIGN_OR_RETURN(k->kernel_, k->make_kernel(kSource, "px_gather_nearest4"));
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const size_t r = x.rank();
    if (x.dtype() != DataType::kFloat32 || r == 0 || r > 4 || y.rank() != r || !fits_int(y.numel())) return false;
    if (y.numel() == 0) return true;
    if (x.numel() == 0) return false;
    // The per-dim scales, as the CPU kernel derives them: from sizes when
    // given (out / in), else from the scales input.
    const size_t scales_index = legacy_ ? 1 : 2;
    const bool have_sizes = !legacy_ && ctx.has_input(3) && ctx.input(3).numel() > 0;
    std::vector<double> scales(r);
    if (have_sizes) {
      for (size_t d = 0; d < r; ++d) scales[d] = static_cast<double>(y.dim(d)) / static_cast<double>(x.dim(d));
    } else {
      if (!ctx.has_input(scales_index)) return false;
      auto s = resize::read_floats(ctx.input(scales_index));
      if (!s.is_ok() || s->size() != r) return false;
      scales = *s;
    }
    if (x.shape() != table_in_ || y.shape() != table_out_ || scales != table_scales_) {
      // Indices, padded to 4 dims on the left (size-1 dims map to 0).
      std::vector<cl_int> table;
      cl_int4 in_dims{{1, 1, 1, 1}}, out_dims{{1, 1, 1, 1}}, off{};
      const size_t pad = 4 - r;
      for (size_t d = 0; d < 4; ++d) {
        off.s[d] = static_cast<cl_int>(table.size());
        if (d < pad) {
          table.push_back(0);
          continue;
        }
        const size_t sd = d - pad;
        in_dims.s[d] = ci(x.dim(sd));
        out_dims.s[d] = ci(y.dim(sd));
        resize::DimTaps taps = resize::build_taps(opts_, x.dim(sd), y.dim(sd), scales[sd], 0.0, 1.0);
        if (taps.taps.size() != static_cast<size_t>(y.dim(sd))) return false;  // one tap per output index
        for (const resize::Tap& t : taps.taps) table.push_back(static_cast<cl_int>(t.index));
      }
      PX_ASSIGN_OR_RETURN(table_mem_, upload_scratch(0, table.data(), table.size() * sizeof(cl_int)));
      in_dims_ = in_dims, out_dims_ = out_dims, table_off_ = off;
      table_in_ = x.shape(), table_out_ = y.shape(), table_scales_ = scales;
    }
    PX_ASSIGN_OR_RETURN(cl_mem dx, input(ctx, 0));
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    PX_RETURN_IF_ERROR(set_args(kernel_, dx, dy, table_mem_, in_dims_, out_dims_, table_off_));
    size_t global = static_cast<size_t>(y.numel());
    PX_RETURN_IF_ERROR(dispatch(kernel_, 1, &global));
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  bool legacy_ = false;
  resize::Options opts_;
  ClKernel kernel_;
  // The index table of the last shape (kept on the device between runs).
  Shape table_in_, table_out_;
  std::vector<double> table_scales_;
  cl_mem table_mem_ = nullptr;
  cl_int4 in_dims_{}, out_dims_{}, table_off_{};
};

}  // namespace

bool supports_resize(const KernelCreateContext& ctx) {
  if (ctx.num_outputs() != 1 || !float_inputs(ctx, 1) || ctx.opset() < 10) return false;
  if (!only_attributes(ctx, {"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
                             "exclude_outside", "extrapolation_value"}))
    return false;
  auto o = resize::Options::parse(ctx.attrs(), ctx.opset() < 11);
  return o.is_ok() && o->mode == resize::Mode::kNearest && o->coord != resize::Coord::kTfCropAndResize;
}

Result<std::unique_ptr<DeviceKernel>> make_resize(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return ResizeKernel::make(ctx, env);
}

}  // namespace parallax::opencl
