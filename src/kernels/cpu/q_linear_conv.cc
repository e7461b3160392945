// QLinearConv: quantized convolution; int32 accumulation of the zero-point
// shifted inputs (+ optional int32 bias), then
// y = saturate(round(acc * x_scale * w_scale[m] / y_scale) + y_zero_point).
#include "core/status_macros.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class QLinearConvKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<QLinearConvKernel>();
    PX_ASSIGN_OR_RETURN(k->a_, parse_conv_attrs(ctx));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(ConvGeom g, conv_geometry("QLinearConv", a_, ctx.input_shape(0), ctx.input_shape(3)));
    ctx.set_output(0, ctx.input_dtype(7), conv_out_shape(g));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const char* op = "QLinearConv";
    const Tensor& X = ctx.input(0);
    const Tensor& W = ctx.input(3);
    PX_ASSIGN_OR_RETURN(ConvGeom g, conv_geometry(op, a_, X.shape(), W.shape()));
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
      return error(StatusCode::kInvalidArgument, op, ": w_scale/w_zero_point must be scalars or have ", g.M, " elements");
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
    if (xu && wu) conv_i32(g, X.data<uint8_t>(), xzp[0], W.data<uint8_t>(), wzp, acc.data(), th);
    else if (xu) conv_i32(g, X.data<uint8_t>(), xzp[0], W.data<int8_t>(), wzp, acc.data(), th);
    else if (wu) conv_i32(g, X.data<int8_t>(), xzp[0], W.data<uint8_t>(), wzp, acc.data(), th);
    else conv_i32(g, X.data<int8_t>(), xzp[0], W.data<int8_t>(), wzp, acc.data(), th);
    const int64_t sp = g.M == 0 || g.N == 0 ? 0 : n / (g.N * g.M);
    auto run = [&]<typename Q>() {
      Q* out = Y.data<Q>();
      for (int64_t i = 0; i < n; ++i) {
        const int64_t m = (i / sp) % g.M;
        const int32_t a = acc[i] + (bias.empty() ? 0 : bias[m]);
        const float s = xs[0] * ws[ws.size() == 1 ? 0 : m] / ys[0];
        out[i] = saturate_round<Q>(static_cast<float>(a) * s, yzp[0]);
      }
      return Status::ok();
    };
    if (Y.dtype() == DataType::kUInt8) return run.template operator()<uint8_t>();
    if (Y.dtype() == DataType::kInt8) return run.template operator()<int8_t>();
    return error(StatusCode::kUnsupported, op, ": output type ", data_type_name(Y.dtype()), " is not supported");
  }

 private:
  ConvAttrs a_;
};

}  // namespace

PX_REGISTER_KERNEL("", "QLinearConv", 10, kMaxOpset, make_kernel<QLinearConvKernel>);

}  // namespace parallax
