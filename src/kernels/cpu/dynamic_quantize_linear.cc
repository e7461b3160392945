// DynamicQuantizeLinear: uint8 quantization of a float tensor with scale and
// zero point computed from its range (which always includes 0).
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class DynamicQuantizeLinearKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output(0, DataType::kUInt8, ctx.input_shape(0));
    if (ctx.has_output(1)) ctx.set_output(1, DataType::kFloat32, {});
    if (ctx.has_output(2)) ctx.set_output(2, DataType::kUInt8, {});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DataType::kFloat32)
      return error(StatusCode::kUnsupported, "DynamicQuantizeLinear: input must be float32");
    const float* in = x.data<float>();
    const int64_t n = x.numel();
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < n; ++i) { lo = std::min(lo, in[i]); hi = std::max(hi, in[i]); }
    const float scale = (hi - lo) / 255.0f;
    uint8_t zp = 0;
    if (scale != 0.0f) {
      // An infinite input makes -lo / scale inf / inf = NaN, which survives
      // std::clamp and has no uint8 (the conversion is undefined): use 0.
      const float z = std::nearbyint(0.0f - lo / scale);
      zp = std::isnan(z) ? uint8_t{0} : static_cast<uint8_t>(std::clamp(z, 0.0f, 255.0f));
    }
    uint8_t* out = ctx.output(0).data<uint8_t>();
    for (int64_t i = 0; i < n; ++i) out[i] = scale == 0.0f ? zp : saturate_round<uint8_t>(in[i] / scale, zp);
    if (ctx.has_output(1)) ctx.output(1).data<float>()[0] = scale;
    if (ctx.has_output(2)) ctx.output(2).data<uint8_t>()[0] = zp;
    return Status::ok();
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "DynamicQuantizeLinear", 11, kMaxOpset, make_kernel<DynamicQuantizeLinearKernel>);

}  // namespace parallax
