// DynamicQuantizeLinear: uint8 quantization of a float tensor with scale and
// zero point computed from its range (which always includes 0); the
// arithmetic is in dynamic_quant.h, shared with the fused int8 MatMul.
#include "kernels/cpu/dynamic_quant.h"
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
    const int th = ctx.num_threads();
    const DynamicQuantParams p = dynamic_quant_params(x.data<float>(), x.numel(), th);
    quantize_u8(x.data<float>(), x.numel(), p, ctx.output(0).data<uint8_t>(), th);
    const float scale = p.scale;
    const uint8_t zp = p.zero_point;
    if (ctx.has_output(1)) ctx.output(1).data<float>()[0] = scale;
    if (ctx.has_output(2)) ctx.output(2).data<uint8_t>()[0] = zp;
    return Status::ok();
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "DynamicQuantizeLinear", 11, kMaxOpset, make_kernel<DynamicQuantizeLinearKernel>);

}  // namespace parallax
