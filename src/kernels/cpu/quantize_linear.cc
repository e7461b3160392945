// QuantizeLinear: y = saturate(round_half_even(x / y_scale) + y_zero_point),
// per tensor or (opset 13) per slice along `axis`. Output type is the zero
// point's (uint8 when it is absent).
#include "core/status_macros.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class QuantizeLinearKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<QuantizeLinearKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 1));
    PX_RETURN_IF_ERROR(check_quantize_params(ctx, "QuantizeLinear", k->axis_, 1));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    DataType dt = ctx.has_input(2) ? ctx.input_dtype(2) : DataType::kUInt8;
    if (dt != DataType::kUInt8 && dt != DataType::kInt8)
      return error(StatusCode::kUnsupported, "QuantizeLinear: output type ", data_type_name(dt), " is not supported");
    ctx.set_output(0, dt, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_ASSIGN_OR_RETURN(auto scale, read_f32(ctx.input(1)));
    PX_ASSIGN_OR_RETURN(auto zp, zero_point(ctx, 2));
    int64_t C = 1, inner = 1;
    if (scale.size() != 1) {
      const int64_t rank = static_cast<int64_t>(x.rank());
      if (rank == 0)
        return error(StatusCode::kInvalidArgument, "QuantizeLinear: y_scale has ", scale.size(), " values but x is a scalar");
      PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
      C = x.dim(static_cast<size_t>(axis));
      for (int64_t i = axis + 1; i < rank; ++i) inner *= x.dim(static_cast<size_t>(i));
    }
    if (static_cast<int64_t>(scale.size()) != C || (zp.size() != 1 && static_cast<int64_t>(zp.size()) != C))
      return error(StatusCode::kInvalidArgument, "QuantizeLinear: y_scale/y_zero_point size does not match axis size ", C);
    if (zp.size() == 1 && C > 1) zp.assign(static_cast<size_t>(C), zp[0]);
    const int64_t n = x.numel();
    std::vector<float> xf(static_cast<size_t>(n));
    if (x.dtype() == DataType::kFloat32) std::copy_n(x.data<float>(), n, xf.begin());
    else if (x.dtype() == DataType::kInt32) for (int64_t i = 0; i < n; ++i) xf[i] = static_cast<float>(x.data<int32_t>()[i]);
    else return error(StatusCode::kUnsupported, "QuantizeLinear: input type ", data_type_name(x.dtype()), " is not supported");
    Tensor& y = ctx.output(0);
    auto run = [&]<typename Q>() {
      Q* out = y.data<Q>();
      for (int64_t i = 0; i < n; ++i) {
        const int64_t c = C == 1 ? 0 : (i / inner) % C;
        out[i] = saturate_round<Q>(xf[i] / scale[c], zp[c]);
      }
      return Status::ok();
    };
    if (y.dtype() == DataType::kUInt8) return run.template operator()<uint8_t>();
    return run.template operator()<int8_t>();
  }

 private:
  int64_t axis_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "QuantizeLinear", 10, kMaxOpset, make_kernel<QuantizeLinearKernel>);

}  // namespace parallax
