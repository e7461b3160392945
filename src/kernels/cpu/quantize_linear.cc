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
        return error(StatusCode::kInvalidArgument, "QuantizeLinear: y_scale has ", scale.size(),
                     " values but x is a scalar");
      PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
      C = x.dim(static_cast<size_t>(axis));
      for (int64_t i = axis + 1; i < rank; ++i) inner *= x.dim(static_cast<size_t>(i));
    }
    if (static_cast<int64_t>(scale.size()) != C || (zp.size() != 1 && static_cast<int64_t>(zp.size()) != C))
      return error(StatusCode::kInvalidArgument, "QuantizeLinear: y_scale/y_zero_point size does not match axis size ",
                   C);
    if (zp.size() == 1 && C > 1) zp.assign(static_cast<size_t>(C), zp[0]);
    const int64_t n = x.numel();
    Tensor& y = ctx.output(0);
    if (C == 1 && x.dtype() == DataType::kFloat32) {
      if (y.dtype() == DataType::kUInt8)
        per_tensor(x.data<float>(), n, scale[0], zp[0], y.data<uint8_t>(), ctx);
      else
        per_tensor(x.data<float>(), n, scale[0], zp[0], y.data<int8_t>(), ctx);
      return Status::ok();
    }
    std::vector<float> xf(static_cast<size_t>(n));
    if (x.dtype() == DataType::kFloat32)
      std::copy_n(x.data<float>(), n, xf.begin());
    else if (x.dtype() == DataType::kInt32)
      for (int64_t i = 0; i < n; ++i) xf[i] = static_cast<float>(x.data<int32_t>()[i]);
    else
      return error(StatusCode::kUnsupported, "QuantizeLinear: input type ", data_type_name(x.dtype()),
                   " is not supported");
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
  // The per-tensor float case, which every QDQ activation is (110 of them
  // per distilbert run): saturate_round's arithmetic in a form the compiler
  // vectorises. Clamping to [lowest - zp, max - zp] before rounding is the
  // same as clamping after (the bounds are integers) and sends NaN to the
  // lowest value as saturate_round does (a comparison with NaN is false);
  // adding and taking away 1.5 * 2^23 rounds half to even for |v| < 2^22.
  template <typename Q>
  static void per_tensor(const float* x, int64_t n, float scale, int32_t zp, Q* y, ComputeContext& ctx) {
    const float lo = static_cast<float>(std::numeric_limits<Q>::lowest() - zp);
    const float hi = static_cast<float>(std::numeric_limits<Q>::max() - zp);
    parallel_for(ctx.num_threads(), n, 16384, [=](int64_t b, int64_t e) {
      // Copies and __restrict: a byte store may alias anything, which would
      // keep the compiler from vectorising.
      const float* __restrict in = x;
      Q* __restrict out = y;
      const float s = scale, l = lo, h = hi;
      const int32_t z = zp;
      for (int64_t i = b; i < e; ++i) out[i] = quantize_clamped<Q>(in[i], s, l, h, z);
    });
  }

  int64_t axis_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "QuantizeLinear", 10, kMaxOpset, make_kernel<QuantizeLinearKernel>);

}  // namespace parallax
