// com.parallax.QuantizeDequantize(x, scale, zero_point): a QuantizeLinear
// whose output only a DequantizeLinear with the same parameters reads,
//
//   y = (saturate(round_half_even(x / scale) + zero_point) - zero_point) * scale
//
// in one pass, float to float, with no byte tensor between (graph/passes/
// fuse_quantize_round_trip.cc). quantize_static leaves such pairs around
// ops that stay float (Softmax, a MatMul whose B is not quantized), where in
// a transformer they cover the attention matrices, the largest tensors.
// The result is the pair's to the bit: q - zero_point is the rounded,
// clamped value itself. Per tensor; uint8 or int8 (the zero point's type).
#include "core/status_macros.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

template <typename Q>
void round_trip_all(const float* x, int64_t n, float scale, int32_t zp, float* y, int threads) {
  const float lo = static_cast<float>(std::numeric_limits<Q>::lowest() - zp);
  const float hi = static_cast<float>(std::numeric_limits<Q>::max() - zp);
  parallel_for(threads, n, 16384, [=](int64_t b, int64_t e) {
    const float* __restrict in = x;
    float* __restrict out = y;
    const float s = scale, l = lo, h = hi;
    for (int64_t i = b; i < e; ++i) out[i] = quant_detail::round_trip(in[i], s, l, h);
  });
}

class QuantizeDequantizeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    PX_RETURN_IF_ERROR(check_quantize_params(ctx, "QuantizeDequantize", 1, 1));
    return std::unique_ptr<OpKernel>(std::make_unique<QuantizeDequantizeKernel>());
  }

  Status infer(InferContext& ctx) const override {
    if (ctx.input_dtype(0) != DataType::kFloat32 && ctx.input_dtype(0) != DataType::kUndefined)
      return error(StatusCode::kUnsupported, "QuantizeDequantize: x must be float32");
    ctx.set_output(0, DataType::kFloat32, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    if (x.dtype() != DataType::kFloat32)
      return error(StatusCode::kUnsupported, "QuantizeDequantize: x must be float32");
    if (s.dtype() != DataType::kFloat32 || s.numel() != 1)
      return error(StatusCode::kInvalidArgument, "QuantizeDequantize: the scale must be one float32");
    PX_ASSIGN_OR_RETURN(auto zp, zero_point(ctx, 2));
    if (zp.size() != 1)
      return error(StatusCode::kInvalidArgument, "QuantizeDequantize: the zero point must be a scalar");
    const bool s8 = ctx.has_input(2) && ctx.input(2).dtype() == DataType::kInt8;
    float* y = ctx.output(0).data<float>();
    if (s8)
      round_trip_all<int8_t>(x.data<float>(), x.numel(), s.data<float>()[0], zp[0], y, ctx.num_threads());
    else
      round_trip_all<uint8_t>(x.data<float>(), x.numel(), s.data<float>()[0], zp[0], y, ctx.num_threads());
    return Status::ok();
  }
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "QuantizeDequantize", 1, kMaxOpset, QuantizeDequantizeKernel::create);

}  // namespace parallax
