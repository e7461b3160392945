// MatMulInteger: int32 (A - a_zero_point) x (B - b_zero_point) with numpy
// matmul broadcasting; A and B are uint8 or int8.
#include "core/status_macros.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class MatMulIntegerKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(Shape s, matmul_shape("MatMulInteger", ctx.input_shape(0), ctx.input_shape(1)));
    ctx.set_output(0, DataType::kInt32, s);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& A = ctx.input(0);
    const Tensor& B = ctx.input(1);
    PX_ASSIGN_OR_RETURN(auto azp, zero_point(ctx, 2));
    PX_ASSIGN_OR_RETURN(auto bzp, zero_point(ctx, 3));
    int32_t* y = ctx.output(0).data<int32_t>();
    const int th = ctx.num_threads();
    const bool au = A.dtype() == DataType::kUInt8, bu = B.dtype() == DataType::kUInt8;
    if ((!au && A.dtype() != DataType::kInt8) || (!bu && B.dtype() != DataType::kInt8))
      return error(StatusCode::kUnsupported, "MatMulInteger: inputs must be uint8 or int8");
    if (au && bu) return matmul_i32<uint8_t, uint8_t>("MatMulInteger", A, B, azp, bzp, y, th);
    if (au) return matmul_i32<uint8_t, int8_t>("MatMulInteger", A, B, azp, bzp, y, th);
    if (bu) return matmul_i32<int8_t, uint8_t>("MatMulInteger", A, B, azp, bzp, y, th);
    return matmul_i32<int8_t, int8_t>("MatMulInteger", A, B, azp, bzp, y, th);
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "MatMulInteger", 10, kMaxOpset, make_kernel<MatMulIntegerKernel>);

}  // namespace parallax
