// ConvInteger: int32 convolution of (x - x_zero_point) with
// (w - w_zero_point); uint8/int8 inputs, zero point per tensor (w: or per output channel).
#include "core/status_macros.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class ConvIntegerKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ConvIntegerKernel>();
    PX_ASSIGN_OR_RETURN(k->a_, parse_conv_attrs(ctx));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(ConvGeom g, conv_geometry("ConvInteger", a_, ctx.input_shape(0), ctx.input_shape(1)));
    ctx.set_output(0, DataType::kInt32, conv_out_shape(g));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& X = ctx.input(0);
    const Tensor& W = ctx.input(1);
    PX_ASSIGN_OR_RETURN(ConvGeom g, conv_geometry("ConvInteger", a_, X.shape(), W.shape()));
    PX_ASSIGN_OR_RETURN(auto xzp, zero_point(ctx, 2));
    PX_ASSIGN_OR_RETURN(auto wzp, zero_point(ctx, 3));
    if (xzp.size() != 1) return error(StatusCode::kInvalidArgument, "ConvInteger: x_zero_point must be a scalar");
    if (wzp.size() != 1 && static_cast<int64_t>(wzp.size()) != g.M)
      return error(StatusCode::kInvalidArgument, "ConvInteger: w_zero_point must be a scalar or have ", g.M, " elements");
    int32_t* y = ctx.output(0).data<int32_t>();
    const int th = ctx.num_threads();
    const bool xu = X.dtype() == DataType::kUInt8, wu = W.dtype() == DataType::kUInt8;
    if ((!xu && X.dtype() != DataType::kInt8) || (!wu && W.dtype() != DataType::kInt8))
      return error(StatusCode::kUnsupported, "ConvInteger: inputs must be uint8 or int8");
    if (xu && wu) conv_i32(g, X.data<uint8_t>(), xzp[0], W.data<uint8_t>(), wzp, y, th);
    else if (xu) conv_i32(g, X.data<uint8_t>(), xzp[0], W.data<int8_t>(), wzp, y, th);
    else if (wu) conv_i32(g, X.data<int8_t>(), xzp[0], W.data<uint8_t>(), wzp, y, th);
    else conv_i32(g, X.data<int8_t>(), xzp[0], W.data<int8_t>(), wzp, y, th);
    return Status::ok();
  }

 private:
  ConvAttrs a_;
};

}  // namespace

PX_REGISTER_KERNEL("", "ConvInteger", 10, kMaxOpset, make_kernel<ConvIntegerKernel>);

}  // namespace parallax
