// QLinearMatMul: quantized matmul; int32 accumulation of the zero-point
// shifted inputs, then y = saturate(round(acc * a_scale * b_scale / y_scale) + y_zero_point).
// Scales and zero points are per tensor, or per row of a / column of b.
//
// com.parallax.QLinearMatMul is the same op with two additions, which
// graph/passes/fuse_qdq_matmul.cc writes for quantize_static's QDQ Gemm and
// for a Relu before the QuantizeLinear: an optional int32 bias (input 8, one
// value per column, in units of a_scale * b_scale, added to the accumulator
// as QLinearConv's B is) and px_activation (Relu).
//
// A constant int8 B [K, N] with zero point 0 and constant per-tensor a and y
// parameters (what quantizers write) runs on oneDNN's int8 GEMM
// (dnnl_int8_qmatmul.h), A's leading dims folded into its rows; anything else
// takes the portable int32 loop with numpy broadcasting.
#include <cmath>

#include "core/int8_dot.h"
#include "core/status_macros.h"
#include "kernels/cpu/dnnl_int8_qmatmul.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class QLinearMatMulKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<QLinearMatMulKernel>();
    PX_ASSIGN_OR_RETURN(k->act_, dnnl_util::FusedActivation::parse(ctx));
    if (k->act_.residual) return error(StatusCode::kInvalidArgument, "QLinearMatMul: px_residual is not supported");
    PX_RETURN_IF_ERROR(check_scales(ctx));
    PX_RETURN_IF_ERROR(k->try_dnnl(ctx));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  bool holds_constant(size_t input) const override { return input == 3 && gemm_.held(); }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(Shape s, matmul_shape("QLinearMatMul", ctx.input_shape(0), ctx.input_shape(3)));
    ctx.set_output(0, ctx.input_dtype(7), s);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const char* op = "QLinearMatMul";
    const Tensor& A = ctx.input(0);
    Tensor& Y = ctx.output(0);
    if (gemm_.held() && A.dtype() == gemm_.a_type()) {
      if (A.rank() < 1 || A.shape().back() != gemm_.k())
        return error(StatusCode::kInvalidArgument, op, ": A ", shape_to_string(A.shape()), " does not have ", gemm_.k(),
                     " columns");
      return gemm_.run(A.raw(), A.numel() / gemm_.k(), Y.raw());
    }
    const Tensor& B = ctx.input(3);
    PX_ASSIGN_OR_RETURN(auto as, read_f32(ctx.input(1)));
    PX_ASSIGN_OR_RETURN(auto azp, read_i32(ctx.input(2)));
    PX_ASSIGN_OR_RETURN(auto bs, read_f32(ctx.input(4)));
    PX_ASSIGN_OR_RETURN(auto bzp, read_i32(ctx.input(5)));
    PX_ASSIGN_OR_RETURN(auto ys, read_f32(ctx.input(6)));
    PX_ASSIGN_OR_RETURN(auto yzp, read_i32(ctx.input(7)));
    if (ys.size() != 1 || yzp.size() != 1)
      return error(StatusCode::kInvalidArgument, op, ": y_scale and y_zero_point must be scalars");
    const int64_t n = Y.numel();
    std::vector<int32_t> acc(static_cast<size_t>(n));
    const bool au = A.dtype() == DataType::kUInt8, bu = B.dtype() == DataType::kUInt8;
    if ((!au && A.dtype() != DataType::kInt8) || (!bu && B.dtype() != DataType::kInt8))
      return error(StatusCode::kUnsupported, op, ": inputs must be uint8 or int8");
    const int th = ctx.num_threads();
    if (au && bu)
      PX_RETURN_IF_ERROR((matmul_i32<uint8_t, uint8_t>(op, A, B, azp, bzp, acc.data(), th)));
    else if (au)
      PX_RETURN_IF_ERROR((matmul_i32<uint8_t, int8_t>(op, A, B, azp, bzp, acc.data(), th)));
    else if (bu)
      PX_RETURN_IF_ERROR((matmul_i32<int8_t, uint8_t>(op, A, B, azp, bzp, acc.data(), th)));
    else
      PX_RETURN_IF_ERROR((matmul_i32<int8_t, int8_t>(op, A, B, azp, bzp, acc.data(), th)));
    const int64_t M = A.rank() == 1 ? 1 : A.dim(A.rank() - 2);
    const int64_t N = B.rank() == 1 ? 1 : B.dim(B.rank() - 1);
    if ((as.size() != 1 && static_cast<int64_t>(as.size()) != M) ||
        (bs.size() != 1 && static_cast<int64_t>(bs.size()) != N))
      return error(StatusCode::kInvalidArgument, op, ": a_scale/b_scale sizes do not match the matrices");
    std::vector<int32_t> bias;
    if (ctx.has_input(8) && ctx.input(8).numel() > 0) {
      PX_ASSIGN_OR_RETURN(bias, read_i32(ctx.input(8)));
      if (static_cast<int64_t>(bias.size()) != N)
        return error(StatusCode::kInvalidArgument, op, ": the bias must have ", N, " values");
    }
    auto run = [&]<typename Q>() {
      Q* out = Y.data<Q>();
      for (int64_t i = 0; i < n; ++i) {
        const int64_t col = i % N, row = (i / N) % M;
        const float s = as[as.size() == 1 ? 0 : row] * bs[bs.size() == 1 ? 0 : col] / ys[0];
        float v = static_cast<float>(acc[i] + (bias.empty() ? 0 : bias[col])) * s;
        act_.apply(&v, 1);
        out[i] = saturate_round<Q>(v, yzp[0]);
      }
      return Status::ok();
    };
    if (Y.dtype() == DataType::kUInt8) return run.template operator()<uint8_t>();
    if (Y.dtype() == DataType::kInt8) return run.template operator()<int8_t>();
    return error(StatusCode::kUnsupported, op, ": output type ", data_type_name(Y.dtype()), " is not supported");
  }

 private:
  // Constant scales must be finite and positive: a zero or NaN scale gives
  // zeros or NaNs without a word.
  static Status check_scales(const KernelCreateContext& ctx) {
    for (size_t i : {1, 4, 6}) {
      const Tensor* t = ctx.has_input(i) ? ctx.constant_input(i) : nullptr;
      if (!t) continue;
      if (t->dtype() != DataType::kFloat32)
        return error(StatusCode::kInvalidArgument, "QLinearMatMul: input ", i, " (a scale) must be float32");
      for (int64_t j = 0; j < t->numel(); ++j)
        if (!std::isfinite(t->data<float>()[j]) || t->data<float>()[j] <= 0.0f)
          return error(StatusCode::kInvalidArgument, "QLinearMatMul: input ", i,
                       " (a scale) must be finite and positive, got ", t->data<float>()[j]);
    }
    return Status::ok();
  }

  // Sets up the oneDNN path where everything it needs is constant.
  Status try_dnnl(const KernelCreateContext& ctx) {
    for (size_t i : {1, 2, 3, 4, 5, 6, 7})
      if (!ctx.has_input(i) || !ctx.constant_input(i)) return Status::ok();
    const Tensor& b = *ctx.constant_input(3);
    // A's type is its zero point's (the input's may not be known before the run).
    const DataType at = ctx.constant_input(2)->dtype();
    const DataType yt = ctx.constant_input(7)->dtype();
    if (b.dtype() != DataType::kInt8 || b.rank() != 2 || (at != DataType::kUInt8 && at != DataType::kInt8) ||
        (yt != DataType::kUInt8 && yt != DataType::kInt8))
      return Status::ok();
    PX_ASSIGN_OR_RETURN(auto as, read_f32(*ctx.constant_input(1)));
    PX_ASSIGN_OR_RETURN(auto azp, read_i32(*ctx.constant_input(2)));
    PX_ASSIGN_OR_RETURN(auto bs, read_f32(*ctx.constant_input(4)));
    PX_ASSIGN_OR_RETURN(auto bzp, read_i32(*ctx.constant_input(5)));
    PX_ASSIGN_OR_RETURN(auto ys, read_f32(*ctx.constant_input(6)));
    PX_ASSIGN_OR_RETURN(auto yzp, read_i32(*ctx.constant_input(7)));
    const int64_t n = b.dim(1);
    if (as.size() != 1 || azp.size() != 1 || ys.size() != 1 || yzp.size() != 1) return Status::ok();
    if (bs.size() != 1 && static_cast<int64_t>(bs.size()) != n) return Status::ok();
    for (int32_t z : bzp)
      if (z != 0) return Status::ok();
    dnnl_util::Int8QMatmulParams p;
    p.a_type = at;
    p.y_type = yt;
    p.a_zp = azp[0];
    p.y_zp = yzp[0];
    for (float s : bs) p.scales.push_back(as[0] * s / ys[0]);
    if (ctx.has_input(8)) {
      const Tensor* bias = ctx.constant_input(8);
      if (!bias || bias->dtype() != DataType::kInt32 || bias->numel() != n) return Status::ok();
      p.bias.assign(bias->data<int32_t>(), bias->data<int32_t>() + n);
    }
    p.act = act_;
    if (ctx.exact_int8() && int8_weights_may_saturate(b)) return Status::ok();  // the int32 path is exact
    gemm_.hold(b, std::move(p), ctx.weight_cache());
    return Status::ok();
  }

  dnnl_util::FusedActivation act_;
  dnnl_util::Int8QMatmul gemm_;
};

}  // namespace

PX_REGISTER_KERNEL("", "QLinearMatMul", 10, kMaxOpset, QLinearMatMulKernel::create);
PX_REGISTER_KERNEL("com.parallax", "QLinearMatMul", 1, kMaxOpset, QLinearMatMulKernel::create);

}  // namespace parallax
