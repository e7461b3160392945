// QLinearConv: quantized convolution; int32 accumulation of the zero-point
// shifted inputs (+ optional int32 bias), then
// y = saturate(round(acc * x_scale * w_scale[m] / y_scale) + y_zero_point).
//
// A 2-D convolution with constant int8 weights (zero point 0) and constant
// scales and zero points, as quantizers write it, runs on oneDNN's int8
// convolution (dnnl_int8_conv.h); other cases take the portable int32 loop.
// graph/passes/fuse_qdq_conv.cc makes this op from QDQ's
// DequantizeLinear -> Conv -> QuantizeLinear, with px_activation (Relu) when
// an activation sat between the Conv and the QuantizeLinear.
#include <cmath>

#include "core/int8_dot.h"
#include "core/status_macros.h"
#include "kernels/cpu/dnnl_int8_conv.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class QLinearConvKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) { return make(ctx, false); }
  // com.parallax.NhwcQLinearConv: X and Y channels-last (graph/passes/channels_last.cc
  // makes it only where the oneDNN path applies).
  static Result<std::unique_ptr<OpKernel>> create_nhwc(const KernelCreateContext& ctx) {
    auto k = make(ctx, true);
    if (k.is_ok() && !static_cast<QLinearConvKernel&>(**k).conv_.held())
      return error(StatusCode::kInvalidArgument,
                   "NhwcQLinearConv needs constant int8 weights with zero point 0 and constant scales and zero points");
    return k;
  }

  static Result<std::unique_ptr<OpKernel>> make(const KernelCreateContext& ctx, bool nhwc) {
    auto k = std::make_unique<QLinearConvKernel>();
    k->nhwc_ = nhwc;
    PX_ASSIGN_OR_RETURN(k->a_, parse_conv_attrs(ctx));
    PX_ASSIGN_OR_RETURN(k->act_, dnnl_util::FusedActivation::parse(ctx));
    if (k->act_.residual) return error(StatusCode::kInvalidArgument, "QLinearConv: px_residual is not supported");
    PX_RETURN_IF_ERROR(k->check_constants(ctx));
    PX_RETURN_IF_ERROR(k->try_dnnl(ctx));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  bool holds_constant(size_t input) const override { return input == 3 && conv_.held(); }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(ConvGeom g, conv_geometry("QLinearConv", a_, nchw(ctx.input_shape(0)), ctx.input_shape(3)));
    ctx.set_output(0, ctx.input_dtype(7), layout(conv_out_shape(g)));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const char* op = "QLinearConv";
    const Tensor& X = ctx.input(0);
    const Tensor& W = ctx.input(3);
    PX_ASSIGN_OR_RETURN(ConvGeom g, conv_geometry(op, a_, nchw(X.shape()), W.shape()));
    if (nhwc_ && X.dtype() != x_type_)
      return error(StatusCode::kInvalidArgument, op, ": X is ", data_type_name(X.dtype()), ", its zero point ",
                   data_type_name(x_type_));
    if (conv_.held() && X.dtype() == x_type_) {
      if (ctx.output(0).numel() == 0) return Status::ok();
      return conv_.run(g, X.raw(), ctx.output(0).raw());
    }
    PX_ASSIGN_OR_RETURN(auto xs, read_f32(ctx.input(1)));
    PX_ASSIGN_OR_RETURN(auto xzp, read_i32(ctx.input(2)));
    PX_ASSIGN_OR_RETURN(auto ws, read_f32(ctx.input(4)));
    PX_ASSIGN_OR_RETURN(auto wzp, read_i32(ctx.input(5)));
    PX_ASSIGN_OR_RETURN(auto ys, read_f32(ctx.input(6)));
    PX_ASSIGN_OR_RETURN(auto yzp, read_i32(ctx.input(7)));
    if (xs.size() != 1 || xzp.size() != 1 || ys.size() != 1 || yzp.size() != 1)
      return error(StatusCode::kInvalidArgument, op, ": x/y scales and zero points must be scalars");
    if ((ws.size() != 1 && static_cast<int64_t>(ws.size()) != g.M) ||
        (wzp.size() != 1 && static_cast<int64_t>(wzp.size()) != g.M))
      return error(StatusCode::kInvalidArgument, op, ": w_scale/w_zero_point must be scalars or have ", g.M,
                   " elements");
    std::vector<int32_t> bias;
    if (ctx.has_input(8) && ctx.input(8).numel() > 0) {
      PX_ASSIGN_OR_RETURN(bias, read_i32(ctx.input(8)));
      if (static_cast<int64_t>(bias.size()) != g.M)
        return error(StatusCode::kInvalidArgument, op, ": B must have ", g.M, " elements");
    }
    Tensor& Y = ctx.output(0);
    const int64_t n = Y.numel();
    std::vector<int32_t> acc(static_cast<size_t>(n));
    const bool xu = X.dtype() == DataType::kUInt8, wu = W.dtype() == DataType::kUInt8;
    if ((!xu && X.dtype() != DataType::kInt8) || (!wu && W.dtype() != DataType::kInt8))
      return error(StatusCode::kUnsupported, op, ": inputs must be uint8 or int8");
    const int th = ctx.num_threads();
    if (xu && wu)
      conv_i32(g, X.data<uint8_t>(), xzp[0], W.data<uint8_t>(), wzp, acc.data(), th);
    else if (xu)
      conv_i32(g, X.data<uint8_t>(), xzp[0], W.data<int8_t>(), wzp, acc.data(), th);
    else if (wu)
      conv_i32(g, X.data<int8_t>(), xzp[0], W.data<uint8_t>(), wzp, acc.data(), th);
    else
      conv_i32(g, X.data<int8_t>(), xzp[0], W.data<int8_t>(), wzp, acc.data(), th);
    const int64_t sp = g.M == 0 || g.N == 0 ? 0 : n / (g.N * g.M);
    auto run = [&]<typename Q>() {
      Q* out = Y.data<Q>();
      for (int64_t i = 0; i < n; ++i) {
        const int64_t m = (i / sp) % g.M;
        const int32_t a = acc[i] + (bias.empty() ? 0 : bias[m]);
        const float s = xs[0] * ws[ws.size() == 1 ? 0 : m] / ys[0];
        float v = static_cast<float>(a) * s;
        act_.apply(&v, 1);
        out[i] = saturate_round<Q>(v, yzp[0]);
      }
      return Status::ok();
    };
    if (Y.dtype() == DataType::kUInt8) return run.template operator()<uint8_t>();
    if (Y.dtype() == DataType::kInt8) return run.template operator()<int8_t>();
    return error(StatusCode::kUnsupported, op, ": output type ", data_type_name(Y.dtype()), " is not supported");
  }

 private:
  // The NCHW shape of an NHWC X (as given otherwise), and back for Y.
  Shape nchw(const Shape& s) const {
    if (!nhwc_ || s.size() != 4) return s;
    return {s[0], s[3], s[1], s[2]};
  }
  Shape layout(const Shape& s) const {
    if (!nhwc_ || s.size() != 4) return s;
    return {s[0], s[2], s[3], s[1]};
  }

  // Constant scales must be finite and positive, and zero points of their
  // tensor's type: anything else would give zeros or NaNs without a word.
  Status check_constants(const KernelCreateContext& ctx) const {
    static constexpr struct {
      size_t index;
      const char* name;
    } kScales[] = {{1, "x_scale"}, {4, "w_scale"}, {6, "y_scale"}};
    for (const auto& sc : kScales) {
      const Tensor* t = ctx.has_input(sc.index) ? ctx.constant_input(sc.index) : nullptr;
      if (!t) continue;
      if (t->dtype() != DataType::kFloat32)
        return error(StatusCode::kInvalidArgument, "QLinearConv: ", sc.name, " must be float32");
      for (int64_t i = 0; i < t->numel(); ++i)
        if (!std::isfinite(t->data<float>()[i]) || t->data<float>()[i] <= 0.0f)
          return error(StatusCode::kInvalidArgument, "QLinearConv: ", sc.name, " must be finite and positive, got ",
                       t->data<float>()[i]);
    }
    static constexpr struct {
      size_t zp, of;
      const char* name;
    } kZeroPoints[] = {{2, 0, "x_zero_point"}, {5, 3, "w_zero_point"}};
    for (const auto& z : kZeroPoints) {
      if (!ctx.has_input(z.zp) || !ctx.has_input(z.of)) continue;
      const DataType zt = ctx.input_dtype(z.zp), vt = ctx.input_dtype(z.of);
      if (zt != DataType::kUndefined && vt != DataType::kUndefined && zt != vt)
        return error(StatusCode::kInvalidArgument, "QLinearConv: ", z.name, " is ", data_type_name(zt),
                     " but its tensor is ", data_type_name(vt));
    }
    return Status::ok();
  }

  // Sets up the oneDNN path where everything it needs is constant.
  Status try_dnnl(const KernelCreateContext& ctx) {
    for (size_t i : {1, 2, 3, 4, 5, 6, 7})
      if (!ctx.has_input(i) || !ctx.constant_input(i)) return Status::ok();
    const Tensor& w = *ctx.constant_input(3);
    // x's type is its zero point's (the input's may not be known before the run).
    const DataType xt = ctx.constant_input(2)->dtype();
    if (w.dtype() != DataType::kInt8 || w.rank() != 4 || (xt != DataType::kUInt8 && xt != DataType::kInt8))
      return Status::ok();
    PX_ASSIGN_OR_RETURN(auto xs, read_f32(*ctx.constant_input(1)));
    PX_ASSIGN_OR_RETURN(auto xzp, read_i32(*ctx.constant_input(2)));
    PX_ASSIGN_OR_RETURN(auto ws, read_f32(*ctx.constant_input(4)));
    PX_ASSIGN_OR_RETURN(auto wzp, read_i32(*ctx.constant_input(5)));
    PX_ASSIGN_OR_RETURN(auto ys, read_f32(*ctx.constant_input(6)));
    PX_ASSIGN_OR_RETURN(auto yzp, read_i32(*ctx.constant_input(7)));
    const int64_t m = w.dim(0);
    if (xs.size() != 1 || xzp.size() != 1 || ys.size() != 1 || yzp.size() != 1) return Status::ok();
    if (ws.size() != 1 && static_cast<int64_t>(ws.size()) != m) return Status::ok();
    for (int32_t z : wzp)
      if (z != 0) return Status::ok();
    dnnl_util::Int8ConvParams p;
    p.x_type = xt;
    p.y_type = ctx.constant_input(7)->dtype();
    if (p.y_type != DataType::kUInt8 && p.y_type != DataType::kInt8) return Status::ok();
    p.x_zp = xzp[0];
    p.y_zp = yzp[0];
    for (float s : ws) p.scales.push_back(xs[0] * s / ys[0]);
    if (ctx.has_input(8)) {
      const Tensor* b = ctx.constant_input(8);
      if (!b || b->dtype() != DataType::kInt32 || b->numel() != m) return Status::ok();
      for (int64_t i = 0; i < m; ++i) {
        const int32_t v = b->data<int32_t>()[i];
        if (v > (1 << 24) || v < -(1 << 24)) return Status::ok();  // not exact as float
        p.bias.push_back(static_cast<float>(v));
      }
    }
    p.act = act_;
    p.nhwc = nhwc_;
    x_type_ = xt;
    if (ctx.exact_int8() && int8_weights_may_saturate(w)) return Status::ok();  // the int32 path is exact
    conv_.hold(w, a_, std::move(p), ctx.weight_cache());
    return Status::ok();
  }

  ConvAttrs a_;
  bool nhwc_ = false;
  dnnl_util::FusedActivation act_;
  DataType x_type_ = DataType::kUndefined;
  dnnl_util::Int8Conv conv_;
};

}  // namespace

PX_REGISTER_KERNEL("", "QLinearConv", 10, kMaxOpset, QLinearConvKernel::create);
// The fused form (graph/fused_ops.h): with a px_activation (Relu).
PX_REGISTER_KERNEL("com.parallax", "QLinearConv", 10, kMaxOpset, QLinearConvKernel::create);
PX_REGISTER_KERNEL("com.parallax", "NhwcQLinearConv", 1, kMaxOpset, QLinearConvKernel::create_nhwc);

}  // namespace parallax
