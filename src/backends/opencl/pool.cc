// MaxPool and AveragePool (2-D NCHW: kernel_shape, strides, pads or
// auto_pad, dilations, ceil_mode, count_include_pad; MaxPool without its
// Indices output) and GlobalAveragePool (any rank >= 3), fp32.
// Window geometry comes from kernels/cpu/pool_util.h, the CPU's own, and the
// average's divisor follows the CPU kernel: with count_include_pad the
// declared pads count, the cells ceil_mode adds beyond them do not.
#include "backends/opencl/ops.h"
#include "core/status_macros.h"
#include "kernels/cpu/pool_util.h"

namespace parallax::opencl {
namespace {

const char* const kSource = R"CL(
__kernel void px_pool2d(__global const float* x, __global float* y, int H, int W, int OH, int OW, int KH, int KW,
                        int SH, int SW, int PH, int PW, int PEH, int PEW, int DH, int DW, int is_max, int cip) {
  const int ow = get_global_id(0), oh = get_global_id(1), nc = get_global_id(2);
  if (ow >= OW || oh >= OH) return;
  const __global float* xp = x + (size_t)nc * H * W;
  const int h0 = oh * SH - PH, w0 = ow * SW - PW;
  float best = -INFINITY, sum = 0.0f;
  int count = 0, padded = 0;
  for (int kh = 0; kh < KH; ++kh) {
    const int ih = h0 + kh * DH;
    if (ih < -PH || ih >= H + PEH) continue;
    for (int kw = 0; kw < KW; ++kw) {
      const int iw = w0 + kw * DW;
      if (iw < -PW || iw >= W + PEW) continue;
      ++padded;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const float v = xp[ih * W + iw];
      ++count;
      sum += v;
      if (v > best) best = v;
    }
  }
  float r;
  if (is_max) {
    r = best;
  } else {
    const int div = cip ? padded : count;
    r = div > 0 ? sum / (float)div : 0.0f;
  }
  y[((size_t)nc * OH + oh) * OW + ow] = r;
}

__kernel void px_global_avg(__global const float* x, __global float* y, int inner) {
  const int nc = get_global_id(0);
  const __global float* xp = x + (size_t)nc * inner;
  float sum = 0.0f;
  for (int i = 0; i < inner; ++i) sum += xp[i];
  y[nc] = sum / (float)inner;
}
)CL";

enum class Kind { kMax, kAverage, kGlobalAverage };

class PoolKernel final : public DeviceKernel {
 public:
  PoolKernel(const DeviceEnv& env, Kind kind) : DeviceKernel(env), kind_(kind) {}

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    const std::string& op = ctx.node().op_type;
    Kind kind = op == "MaxPool" ? Kind::kMax : op == "AveragePool" ? Kind::kAverage : Kind::kGlobalAverage;
    auto k = std::make_unique<PoolKernel>(env, kind);
    if (kind != Kind::kGlobalAverage) {
      PX_ASSIGN_OR_RETURN(k->w_, WindowAttrs::parse(ctx.attrs(), true));
      PX_ASSIGN_OR_RETURN(int64_t cip, ctx.attrs().get_int("count_include_pad", 0));
      k->count_include_pad_ = cip != 0;
    }
    PX_ASSIGN_OR_RETURN(k->kernel_,
                        k->make_kernel(kSource, kind == Kind::kGlobalAverage ? "px_global_avg" : "px_pool2d"));
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (x.dtype() != DataType::kFloat32 || !fits_int(x.numel()) || !fits_int(y.numel())) return false;
    if (kind_ == Kind::kGlobalAverage) {
      if (x.rank() < 3) return false;
      const int64_t nc = x.dim(0) * x.dim(1), inner = nc ? x.numel() / nc : 0;
      if (y.numel() != nc || inner == 0) return false;
      if (nc == 0) return true;
      PX_ASSIGN_OR_RETURN(cl_mem dx, input(ctx, 0));
      PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
      PX_RETURN_IF_ERROR(set_args(kernel_, dx, dy, ci(inner)));
      size_t global = static_cast<size_t>(nc);
      PX_RETURN_IF_ERROR(dispatch(kernel_, 1, &global));
      PX_RETURN_IF_ERROR(download(ctx, 0));
      return true;
    }
    if (x.rank() != 4 || w_.kernel.size() != 2) return false;
    auto g = resolve_window(w_, {x.dim(2), x.dim(3)}, w_.kernel);
    if (!g.is_ok() || y.rank() != 4 || y.dim(2) != g->out[0] || y.dim(3) != g->out[1]) return false;
    if (y.numel() == 0) return true;
    const WindowGeometry& G = *g;
    PX_ASSIGN_OR_RETURN(cl_mem dx, input(ctx, 0));
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    PX_RETURN_IF_ERROR(set_args(kernel_, dx, dy, ci(x.dim(2)), ci(x.dim(3)), ci(G.out[0]), ci(G.out[1]), ci(G.k[0]),
                                ci(G.k[1]), ci(G.s[0]), ci(G.s[1]), ci(G.pb[0]), ci(G.pb[1]), ci(G.pe[0]), ci(G.pe[1]),
                                ci(G.d[0]), ci(G.d[1]), cl_int{kind_ == Kind::kMax}, cl_int{count_include_pad_}));
    size_t global[3] = {static_cast<size_t>(G.out[1]), static_cast<size_t>(G.out[0]),
                        static_cast<size_t>(x.dim(0) * x.dim(1))};
    PX_RETURN_IF_ERROR(dispatch(kernel_, 3, global));
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  Kind kind_;
  WindowAttrs w_;
  bool count_include_pad_ = false;
  ClKernel kernel_;
};

}  // namespace

bool supports_pool(const KernelCreateContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !float_inputs(ctx, 1)) return false;
  const std::string& op = ctx.node().op_type;
  if (op == "GlobalAveragePool") return only_attributes(ctx, {});
  if (op == "MaxPool") {
    // storage_order only shapes the Indices output, which is refused above.
    if (!only_attributes(ctx,
                         {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}))
      return false;
    if (ctx.opset() < 10 && ctx.attrs().has("ceil_mode")) return false;
  } else if (!only_attributes(
                 ctx, {"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"})) {
    return false;
  }
  auto w = WindowAttrs::parse(ctx.attrs(), true);
  return w.is_ok() && w->kernel.size() == 2 && ctx.attrs().get_int("count_include_pad", 0).is_ok();
}

Result<std::unique_ptr<DeviceKernel>> make_pool(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return PoolKernel::make(ctx, env);
}

}  // namespace parallax::opencl
