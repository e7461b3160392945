// Conv, 2-D NCHW, fp32: groups (depthwise included), strides, dilations,
// explicit pads or auto_pad, optional bias, and the graph optimizer's fused
// activation and residual (px_activation / px_activation_params /
// px_residual, kernels/cpu/dnnl_util.h), applied in the CPU kernel's order:
// conv + bias, + residual, then the activation. The channels-last rewrite
// (px_layout) is not taken: sessions with an accelerator skip that pass.
//
// Two kernels: an implicit GEMM (local-memory tiles, im2col gathered on the
// fly) for ordinary convs, and a direct loop, one work item per output, for
// depthwise-like ones. On PoCL (2 shared, loaded cores) a first MobileNetV2
// run took 1.84 s with every conv direct and 1.25 s with the GEMM path.
// Where the build has CLBlast, ungrouped convs with symmetric pads go to it
// instead (a 1x1 conv is a plain GEMM, the others its convgemm), and an
// epilogue kernel adds bias and residual and applies the activation.
#include "backends/opencl/clblast_gemm.h"
#include "backends/opencl/ops.h"
#include "core/status_macros.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/pool_util.h"

namespace parallax::opencl {
namespace {

using dnnl_util::FusedActivation;

const std::string& source() {
  static const std::string s = std::string(kActivationSource) + R"CL(
__kernel void px_conv2d(__global const float* x, __global const float* w, __global const float* bias,
                        __global const float* res, __global float* y,
                        int C, int H, int W, int OC, int OH, int OW, int KH, int KW, int SH, int SW,
                        int PH, int PW, int DH, int DW, int cin_g, int cout_g, int act, float a, float b) {
  const int ow = get_global_id(0), oh = get_global_id(1), noc = get_global_id(2);
  if (ow >= OW || oh >= OH) return;
  const int oc = noc % OC, n = noc / OC, g = oc / cout_g;
  const __global float* wp = w + (size_t)oc * cin_g * KH * KW;
  const __global float* xp = x + ((size_t)n * C + (size_t)g * cin_g) * H * W;
  const int ih0 = oh * SH - PH, iw0 = ow * SW - PW;
  float acc = 0.0f;
  for (int ic = 0; ic < cin_g; ++ic) {
    const __global float* xc = xp + (size_t)ic * H * W;
    const __global float* wc = wp + ic * KH * KW;
    for (int kh = 0; kh < KH; ++kh) {
      const int ih = ih0 + kh * DH;
      if (ih < 0 || ih >= H) continue;
      for (int kw = 0; kw < KW; ++kw) {
        const int iw = iw0 + kw * DW;
        if (iw < 0 || iw >= W) continue;
        acc += xc[ih * W + iw] * wc[kh * KW + kw];
      }
    }
  }
  if (bias) acc += bias[oc];
  const size_t o = ((size_t)noc * OH + oh) * OW + ow;
  if (res) acc += res[o];
  y[o] = px_activate(acc, act, a, b);
}

// The same convolution as an implicit GEMM per (image, group): Y (cout_g x
// OH*OW) = W (cout_g x cin_g*KH*KW) * im2col(X), with the im2col matrix
// never stored: its TS x TS tile is gathered from X into local memory.
__kernel void px_conv2d_gemm(__global const float* x, __global const float* w, __global const float* bias,
                             __global const float* res, __global float* y,
                             int C, int H, int W, int OC, int OH, int OW, int KH, int KW, int SH, int SW,
                             int PH, int PW, int DH, int DW, int cin_g, int cout_g, int act, float a, float b) {
  __local float As[TS][TS];
  __local float Bs[TS][TS + 1];
  const int col = get_global_id(0), row = get_global_id(1), z = get_global_id(2);
  const int lc = get_local_id(0), lr = get_local_id(1);
  const int groups = OC / cout_g, n = z / groups, g = z % groups;
  const int KK = KH * KW, K = cin_g * KK, P = OH * OW;
  const __global float* wp = w + (size_t)g * cout_g * K;
  const __global float* xp = x + ((size_t)n * C + (size_t)g * cin_g) * H * W;
  const int oh = col / OW, ow = col % OW;
  float acc = 0.0f;
  for (int t = 0; t < K; t += TS) {
    const int ak = t + lc, bk = t + lr;
    As[lr][lc] = (row < cout_g && ak < K) ? wp[(size_t)row * K + ak] : 0.0f;
    float v = 0.0f;
    if (col < P && bk < K) {
      const int ic = bk / KK, r = bk % KK, kh = r / KW, kw = r % KW;
      const int ih = oh * SH - PH + kh * DH, iw = ow * SW - PW + kw * DW;
      if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = xp[((size_t)ic * H + ih) * W + iw];
    }
    Bs[lr][lc] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TS; ++k) acc += As[lr][k] * Bs[k][lc];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < cout_g && col < P) {
    const int oc = g * cout_g + row;
    if (bias) acc += bias[oc];
    const size_t o = ((size_t)n * OC + oc) * P + col;
    if (res) acc += res[o];
    y[o] = px_activate(acc, act, a, b);
  }
}

// After a CLBlast conv: bias, residual and activation in place on Y.
__kernel void px_conv_epilogue(__global float* y, __global const float* bias, __global const float* res,
                               int OC, int P, int act, float a, float b) {
  const size_t o = get_global_id(0);
  float v = y[o];
  if (bias) v += bias[(o / P) % OC];
  if (res) v += res[o];
  y[o] = px_activate(v, act, a, b);
}
)CL";
  return s;
}

cl_int activation_code(FusedActivation::Kind k) {
  switch (k) {
    case FusedActivation::Kind::kNone: return kActNone;
    case FusedActivation::Kind::kRelu: return kActRelu;
    case FusedActivation::Kind::kClip: return kActClip;
    case FusedActivation::Kind::kLeakyRelu: return kActLeakyRelu;
    case FusedActivation::Kind::kSigmoid: return kActSigmoid;
    case FusedActivation::Kind::kHardSwish: return kActHardSwish;
    case FusedActivation::Kind::kTanh: return kActTanh;
    case FusedActivation::Kind::kSwish: return kActSwish;
    case FusedActivation::Kind::kHardSigmoid: return kActHardSigmoid;
    case FusedActivation::Kind::kGelu: break;  // no device code: ConvKernel::make refuses it
  }
  return kActNone;
}

class ConvKernel final : public DeviceKernel {
 public:
  using DeviceKernel::DeviceKernel;

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    auto k = std::make_unique<ConvKernel>(env);
    PX_ASSIGN_OR_RETURN(k->w_, WindowAttrs::parse(ctx.attrs(), false));
    k->clblast_ = env.clblast;
    PX_ASSIGN_OR_RETURN(k->group_, ctx.attrs().get_int("group", 1));
    PX_ASSIGN_OR_RETURN(k->act_, FusedActivation::parse(ctx));
    if (k->act_.kind == FusedActivation::Kind::kGelu)
      return error(StatusCode::kUnsupported, "OpenCL Conv: no fused Gelu");
    const size_t n = ctx.num_inputs();
    if (k->act_.residual) {
      k->residual_ = static_cast<int>(n - 1);
      k->bias_ = n >= 4 && ctx.has_input(2) ? 2 : -1;
    } else {
      k->bias_ = n >= 3 && ctx.has_input(2) ? 2 : -1;
    }
    k->ts_ = env.rt->max_work_group_size() >= 256 ? 16 : 8;
    const std::string options = "-DTS=" + std::to_string(k->ts_);
    PX_ASSIGN_OR_RETURN(k->kernel_, k->make_kernel(source(), "px_conv2d", options));
    PX_ASSIGN_OR_RETURN(k->gemm_kernel_, k->make_kernel(source(), "px_conv2d_gemm", options));
    PX_ASSIGN_OR_RETURN(k->epilogue_, k->make_kernel(source(), "px_conv_epilogue", options));
    PX_RETURN_IF_ERROR(k->upload_constant(ctx, 1));
    if (k->bias_ >= 0) {
      PX_RETURN_IF_ERROR(k->upload_constant(ctx, 2));
    }
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    Tensor& y = ctx.output(0);
    if (x.rank() != 4 || w.rank() != 4 || x.dtype() != DataType::kFloat32 || w.dtype() != DataType::kFloat32)
      return false;
    if (group_ <= 0 || x.dim(1) != w.dim(1) * group_ || w.dim(0) % group_ != 0) return false;  // the CPU says why
    const Tensor* b = bias_ >= 0 ? &ctx.input(2) : nullptr;
    const Tensor* r = residual_ >= 0 ? &ctx.input(static_cast<size_t>(residual_)) : nullptr;
    if (b && (b->dtype() != DataType::kFloat32 || b->rank() != 1 || b->dim(0) != w.dim(0))) return false;
    if (r && (r->dtype() != DataType::kFloat32 || r->shape() != y.shape())) return false;
    auto g = resolve_window(w_, {x.dim(2), x.dim(3)}, {w.dim(2), w.dim(3)});
    if (!g.is_ok() || y.rank() != 4 || y.dim(2) != g->out[0] || y.dim(3) != g->out[1]) return false;
    if (!fits_int(x.numel()) || !fits_int(y.numel()) || !fits_int(w.numel())) return false;
    if (y.numel() == 0) return true;
    PX_ASSIGN_OR_RETURN(cl_mem dx, input(ctx, 0));
    PX_ASSIGN_OR_RETURN(cl_mem dw, input(ctx, 1));
    cl_mem db = nullptr, dr = nullptr;
    if (b) {
      PX_ASSIGN_OR_RETURN(db, input(ctx, 2));
    }
    if (r) {
      PX_ASSIGN_OR_RETURN(dr, input(ctx, static_cast<size_t>(residual_)));
    }
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    const WindowGeometry& G = *g;
    PX_ASSIGN_OR_RETURN(bool by_clblast, run_clblast(x, w, G, dx, dw, dy));
    if (by_clblast) {
      if (b || r || act_.kind != FusedActivation::Kind::kNone) {
        PX_RETURN_IF_ERROR(set_args(epilogue_, dy, db, dr, ci(w.dim(0)), ci(G.out[0] * G.out[1]),
                                    activation_code(act_.kind), act_.alpha, act_.beta));
        const size_t global = static_cast<size_t>(y.numel());
        PX_RETURN_IF_ERROR(dispatch(epilogue_, 1, &global));
      }
      PX_RETURN_IF_ERROR(download(ctx, 0));
      return true;
    }
    PX_RETURN_IF_ERROR(set_args(kernel_, dx, dw, db, dr, dy, ci(x.dim(1)), ci(x.dim(2)), ci(x.dim(3)), ci(w.dim(0)),
                                ci(G.out[0]), ci(G.out[1]), ci(G.k[0]), ci(G.k[1]), ci(G.s[0]), ci(G.s[1]), ci(G.pb[0]),
                                ci(G.pb[1]), ci(G.d[0]), ci(G.d[1]), ci(w.dim(1)), ci(w.dim(0) / group_),
                                activation_code(act_.kind), act_.alpha, act_.beta));
    // Depthwise-like convs (few output channels per group) would leave most
    // rows of a GEMM tile idle: they take the direct kernel. The others take
    // the implicit GEMM, whose tiles reuse each loaded input TS times.
    const int64_t cout_g = w.dim(0) / group_;
    if (cout_g >= ts_ / 2) {
      PX_RETURN_IF_ERROR(set_args(gemm_kernel_, dx, dw, db, dr, dy, ci(x.dim(1)), ci(x.dim(2)), ci(x.dim(3)),
                                  ci(w.dim(0)), ci(G.out[0]), ci(G.out[1]), ci(G.k[0]), ci(G.k[1]), ci(G.s[0]),
                                  ci(G.s[1]), ci(G.pb[0]), ci(G.pb[1]), ci(G.d[0]), ci(G.d[1]), ci(w.dim(1)),
                                  ci(cout_g), activation_code(act_.kind), act_.alpha, act_.beta));
      auto round_up = [&](int64_t v) { return static_cast<size_t>((v + ts_ - 1) / ts_ * ts_); };
      size_t global[3] = {round_up(G.out[0] * G.out[1]), round_up(cout_g), static_cast<size_t>(x.dim(0) * group_)};
      size_t local[3] = {static_cast<size_t>(ts_), static_cast<size_t>(ts_), 1};
      PX_RETURN_IF_ERROR(dispatch(gemm_kernel_, 3, global, local));
    } else {
      size_t global[3] = {static_cast<size_t>(G.out[1]), static_cast<size_t>(G.out[0]),
                          static_cast<size_t>(x.dim(0) * w.dim(0))};
      PX_RETURN_IF_ERROR(dispatch(kernel_, 3, global));
    }
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  // Y = conv(X, W) through CLBlast, without bias or activation; false where
  // it does not apply (groups, asymmetric pads, no CLBlast) or declines.
  Result<bool> run_clblast(const Tensor& x, const Tensor& w, const WindowGeometry& G, cl_mem dx, cl_mem dw, cl_mem dy) {
    if (group_ != 1 || !clblast_ || G.pb != G.pe) return false;
    auto u = [](int64_t v) { return static_cast<size_t>(v); };
    const bool pointwise =
        G.k == std::vector<int64_t>{1, 1} && G.s == std::vector<int64_t>{1, 1} && G.pb == std::vector<int64_t>{0, 0};
    bool done = false;
    if (pointwise) {
      // Y[n] (OC x HW) = W (OC x C) * X[n] (C x HW).
      GemmCall g;
      g.m = u(w.dim(0)), g.n = u(x.dim(2) * x.dim(3)), g.k = u(x.dim(1)), g.batches = u(x.dim(0));
      g.a = dw, g.b = dx, g.y = dy, g.a_stride = 0, g.b_stride = g.k * g.n;
      PX_ASSIGN_OR_RETURN(done, clblast_gemm(rt().queue(), g));
    } else {
      ConvCall c;
      c.batches = u(x.dim(0)), c.channels = u(x.dim(1)), c.height = u(x.dim(2)), c.width = u(x.dim(3));
      c.kernels = u(w.dim(0)), c.kh = u(G.k[0]), c.kw = u(G.k[1]), c.pad_h = u(G.pb[0]), c.pad_w = u(G.pb[1]);
      c.stride_h = u(G.s[0]), c.stride_w = u(G.s[1]), c.dilation_h = u(G.d[0]), c.dilation_w = u(G.d[1]);
      c.x = dx, c.w = dw, c.y = dy;
      PX_ASSIGN_OR_RETURN(done, clblast_conv(rt().queue(), c));
    }
    if (done) env_.backend->count_dispatch();
    return done;
  }

  WindowAttrs w_;
  int64_t group_ = 1;
  bool clblast_ = false;  // DeviceEnv::clblast
  FusedActivation act_;
  int bias_ = -1, residual_ = -1;
  int ts_ = 16;
  ClKernel kernel_, gemm_kernel_, epilogue_;
};

}  // namespace

bool supports_conv(const KernelCreateContext& ctx) {
  if (ctx.num_inputs() < 2 || ctx.num_outputs() != 1 || !float_inputs(ctx, ctx.num_inputs())) return false;
  if (!only_attributes(ctx, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", "px_activation",
                             "px_activation_params", "px_residual"}))
    return false;
  auto w = WindowAttrs::parse(ctx.attrs(), false);
  auto act = FusedActivation::parse(ctx);
  auto group = ctx.attrs().get_int("group", 1);
  if (!w.is_ok() || !act.is_ok() || !group.is_ok() || *group <= 0) return false;
  if (act->residual && ctx.num_inputs() < 3) return false;
  // 2-D only: when the rank is visible now, refuse 1-D and 3-D here.
  if (!w->kernel.empty() && w->kernel.size() != 2) return false;
  if (const Tensor* wt = ctx.constant_input(1); wt && wt->rank() != 4) return false;
  return true;
}

Result<std::unique_ptr<DeviceKernel>> make_conv(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return ConvKernel::make(ctx, env);
}

}  // namespace parallax::opencl
