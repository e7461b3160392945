// DynamicQuantizeMatMul(A, B, b_scale, b_zero_point?, bias?): quantizes the
// float A to uint8 with DynamicQuantizeLinear's arithmetic (its range, per
// tensor), then Y = (A_q - a_zp) x B * (a_scale * b_scale) + bias in float.
//
// Registered as com.microsoft's op (what ORT's optimizer makes and some
// exported models carry) and as com.parallax's, which
// graph/passes/fuse_dynamic_quant_matmul.cc writes for quantize_dynamic's
// DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul (-> Add bias).
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/dynamic_quant.h"
#include "kernels/cpu/quant_matmul_to_float.h"

namespace parallax {
namespace {

using namespace quant_detail;

class DynamicQuantizeMatMulKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<DynamicQuantizeMatMulKernel>();
    PX_RETURN_IF_ERROR(k->mm_.init(ctx, "DynamicQuantizeMatMul", {1, 2, 3, 4}));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (ctx.input_dtype(0) != DataType::kFloat32 && ctx.input_dtype(0) != DataType::kUndefined)
      return error(StatusCode::kInvalidArgument, "DynamicQuantizeMatMul: A must be float32");
    PX_ASSIGN_OR_RETURN(Shape s, mm_.out_shape(ctx.input_shape(0), ctx.input_shape(1)));
    ctx.set_output(0, DataType::kFloat32, s);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    if (a.dtype() != DataType::kFloat32)
      return error(StatusCode::kInvalidArgument, "DynamicQuantizeMatMul: A must be float32");
    const int th = ctx.num_threads();
    const DynamicQuantParams p = dynamic_quant_params(a.data<float>(), a.numel(), th);
    // The quantized A lives only during this call: the thread's scratch
    // (slot 0) serves it, grown to the largest A.
    auto* q = static_cast<uint8_t*>(dnnl_util::thread_scratch(0, static_cast<size_t>(a.numel())));
    quantize_u8(a.data<float>(), a.numel(), p, q, th);
    Tensor a_q = Tensor::view(DataType::kUInt8, a.shape(), q);
    return mm_.run(ctx, a_q, p.scale, p.zero_point, ctx.output(0));
  }

  bool holds_constant(size_t input) const override { return input == 1 && mm_.holds_b(); }

 private:
  QuantMatMulToFloat mm_;
};

}  // namespace

PX_REGISTER_KERNEL("com.microsoft", "DynamicQuantizeMatMul", 1, kMaxOpset, DynamicQuantizeMatMulKernel::create);
PX_REGISTER_KERNEL("com.parallax", "DynamicQuantizeMatMul", 1, kMaxOpset, DynamicQuantizeMatMulKernel::create);

}  // namespace parallax
