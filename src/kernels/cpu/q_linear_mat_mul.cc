// QLinearMatMul: quantized matmul; int32 accumulation of the zero-point
// shifted inputs, then y = saturate(round(acc * a_scale * b_scale / y_scale) + y_zero_point).
// Scales and zero points are per tensor, or per row of a / column of b.
#include "core/status_macros.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class QLinearMatMulKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(Shape s, matmul_shape("QLinearMatMul", ctx.input_shape(0), ctx.input_shape(3)));
    ctx.set_output(0, ctx.input_dtype(7), s);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const char* op = "QLinearMatMul";
    const Tensor& A = ctx.input(0);
    const Tensor& B = ctx.input(3);
    PX_ASSIGN_OR_RETURN(auto as, read_f32(ctx.input(1)));
    PX_ASSIGN_OR_RETURN(auto azp, read_i32(ctx.input(2)));
    PX_ASSIGN_OR_RETURN(auto bs, read_f32(ctx.input(4)));
    PX_ASSIGN_OR_RETURN(auto bzp, read_i32(ctx.input(5)));
    PX_ASSIGN_OR_RETURN(auto ys, read_f32(ctx.input(6)));
    PX_ASSIGN_OR_RETURN(auto yzp, read_i32(ctx.input(7)));
    if (ys.size() != 1 || yzp.size() != 1)
      return error(StatusCode::kInvalidArgument, op, ": y_scale and y_zero_point must be scalars");
    Tensor& Y = ctx.output(0);
    const int64_t n = Y.numel();
    std::vector<int32_t> acc(static_cast<size_t>(n));
    const bool au = A.dtype() == DataType::kUInt8, bu = B.dtype() == DataType::kUInt8;
    if ((!au && A.dtype() != DataType::kInt8) || (!bu && B.dtype() != DataType::kInt8))
      return error(StatusCode::kUnsupported, op, ": inputs must be uint8 or int8");
    const int th = ctx.num_threads();
    if (au && bu) PX_RETURN_IF_ERROR((matmul_i32<uint8_t, uint8_t>(op, A, B, azp, bzp, acc.data(), th)));
    else if (au) PX_RETURN_IF_ERROR((matmul_i32<uint8_t, int8_t>(op, A, B, azp, bzp, acc.data(), th)));
    else if (bu) PX_RETURN_IF_ERROR((matmul_i32<int8_t, uint8_t>(op, A, B, azp, bzp, acc.data(), th)));
    else PX_RETURN_IF_ERROR((matmul_i32<int8_t, int8_t>(op, A, B, azp, bzp, acc.data(), th)));
    const int64_t M = A.rank() == 1 ? 1 : A.dim(A.rank() - 2);
    const int64_t N = B.rank() == 1 ? 1 : B.dim(B.rank() - 1);
    if ((as.size() != 1 && static_cast<int64_t>(as.size()) != M) || (bs.size() != 1 && static_cast<int64_t>(bs.size()) != N))
      return error(StatusCode::kInvalidArgument, op, ": a_scale/b_scale sizes do not match the matrices");
    auto run = [&]<typename Q>() {
      Q* out = Y.data<Q>();
      for (int64_t i = 0; i < n; ++i) {
        const int64_t col = i % N, row = (i / N) % M;
        const float s = as[as.size() == 1 ? 0 : row] * bs[bs.size() == 1 ? 0 : col] / ys[0];
        out[i] = saturate_round<Q>(static_cast<float>(acc[i]) * s, yzp[0]);
      }
      return Status::ok();
    };
    if (Y.dtype() == DataType::kUInt8) return run.template operator()<uint8_t>();
    if (Y.dtype() == DataType::kInt8) return run.template operator()<int8_t>();
    return error(StatusCode::kUnsupported, op, ": output type ", data_type_name(Y.dtype()), " is not supported");
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "QLinearMatMul", 10, kMaxOpset, make_kernel<QLinearMatMulKernel>);

}  // namespace parallax
