// MatMulIntegerToFloat(A, B, a_scale, b_scale, a_zero_point?, b_zero_point?,
// bias?): Y = (A - a_zp) x (B - b_zp) * (a_scale * b_scale) + bias, A
// already quantized. Registered as com.microsoft's op and as com.parallax's,
// which graph/passes/fuse_dynamic_quant_matmul.cc writes where one
// DynamicQuantizeLinear feeds several MatMulIntegers (the Q, K and V
// projections): the activation is then quantized once, by that node.
#include "kernels/cpu/quant_matmul_to_float.h"

namespace parallax {
namespace {

using namespace quant_detail;

class MatMulIntegerToFloatKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<MatMulIntegerToFloatKernel>();
    PX_RETURN_IF_ERROR(k->mm_.init(ctx, "MatMulIntegerToFloat", {1, 3, 5, 6}));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(Shape s, mm_.out_shape(ctx.input_shape(0), ctx.input_shape(1)));
    ctx.set_output(0, DataType::kFloat32, s);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& scale = ctx.input(2);
    if (scale.dtype() != DataType::kFloat32 || scale.numel() != 1)
      return error(StatusCode::kInvalidArgument, "MatMulIntegerToFloat: a_scale must be one float32");
    PX_ASSIGN_OR_RETURN(auto azp, zero_point(ctx, 4));
    if (azp.size() != 1) return error(StatusCode::kUnsupported, "MatMulIntegerToFloat: a_zero_point must be a scalar");
    return mm_.run(ctx, ctx.input(0), scale.data<float>()[0], azp[0], ctx.output(0));
  }

  bool holds_constant(size_t input) const override { return input == 1 && mm_.holds_b(); }

 private:
  QuantMatMulToFloat mm_;
};

}  // namespace

PX_REGISTER_KERNEL("com.microsoft", "MatMulIntegerToFloat", 1, kMaxOpset, MatMulIntegerToFloatKernel::create);
PX_REGISTER_KERNEL("com.parallax", "MatMulIntegerToFloat", 1, kMaxOpset, MatMulIntegerToFloatKernel::create);

}  // namespace parallax
