// MatMul (2-D and batched: equal batch dims, or one side 2-D and shared)
// and Gemm (transA/transB, alpha, beta, C broadcast to [M, N]), fp32.
//
// CLBlast serves them where the build has it (clblast_gemm.h), except Gemm
// with C; otherwise one tiled kernel for both: Y[b] = alpha * op(A[b]) op(B[b])
// + beta * C, TS x TS tiles of A and B staged in local memory. Transposes and
// broadcast are strides, so no operand is rearranged on the host. MatMul with
// 1-D operands or general batch broadcasting runs on the CPU.
#include "backends/opencl/clblast_gemm.h"
#include "backends/opencl/ops.h"
#include "core/status_macros.h"

namespace parallax::opencl {
namespace {

const char* const kSource = R"CL(
__kernel void px_gemm(__global const float* A, __global const float* B, __global const float* C,
                      __global float* Y, int M, int N, int K, int a_rs, int a_cs, int b_rs, int b_cs,
                      int a_bs, int b_bs, int c_rs, int c_cs, float alpha, float beta) {
  __local float As[TS][TS];
  __local float Bs[TS][TS + 1];
  const int col = get_global_id(0), row = get_global_id(1), batch = get_global_id(2);
  const int lc = get_local_id(0), lr = get_local_id(1);
  A += (size_t)batch * a_bs;
  B += (size_t)batch * b_bs;
  float acc = 0.0f;
  for (int t = 0; t < K; t += TS) {
    const int ak = t + lc, bk = t + lr;
    As[lr][lc] = (row < M && ak < K) ? A[row * a_rs + ak * a_cs] : 0.0f;
    Bs[lr][lc] = (col < N && bk < K) ? B[bk * b_rs + col * b_cs] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TS; ++k) acc += As[lr][k] * Bs[k][lc];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < M && col < N) {
    float v = alpha * acc;
    if (C) v += beta * C[row * c_rs + col * c_cs];
    Y[((size_t)batch * M + row) * N + col] = v;
  }
}
)CL";

class GemmKernel final : public DeviceKernel {
 public:
  using DeviceKernel::DeviceKernel;

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    auto k = std::make_unique<GemmKernel>(env);
    k->gemm_ = ctx.node().op_type == "Gemm";
    k->clblast_ = env.clblast;
    if (k->gemm_) {
      PX_ASSIGN_OR_RETURN(k->alpha_, ctx.attrs().get_float("alpha", 1.0f));
      PX_ASSIGN_OR_RETURN(k->beta_, ctx.attrs().get_float("beta", 1.0f));
      PX_ASSIGN_OR_RETURN(int64_t ta, ctx.attrs().get_int("transA", 0));
      PX_ASSIGN_OR_RETURN(int64_t tb, ctx.attrs().get_int("transB", 0));
      k->trans_a_ = ta != 0, k->trans_b_ = tb != 0;
      k->has_c_ = ctx.num_inputs() >= 3 && ctx.has_input(2);
    }
    // A work group of TS x TS items: 16 x 16 where the device allows 256.
    k->ts_ = env.rt->max_work_group_size() >= 256 ? 16 : 8;
    PX_ASSIGN_OR_RETURN(k->kernel_, k->make_kernel(kSource, "px_gemm", "-DTS=" + std::to_string(k->ts_)));
    for (size_t i = 0; i < ctx.num_inputs(); ++i) PX_RETURN_IF_ERROR(k->upload_constant(ctx, i));
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    if (a.dtype() != DataType::kFloat32 || b.dtype() != DataType::kFloat32 || a.rank() < 2 || b.rank() < 2)
      return false;
    if (!fits_int(a.numel()) || !fits_int(b.numel()) || !fits_int(y.numel())) return false;
    const size_t ra = a.rank(), rb = b.rank();
    int64_t M, K, N;
    cl_int a_rs, a_cs, b_rs, b_cs;
    if (trans_a_)
      M = a.dim(ra - 1), K = a.dim(ra - 2), a_rs = 1, a_cs = ci(M);
    else
      M = a.dim(ra - 2), K = a.dim(ra - 1), a_rs = ci(K), a_cs = 1;
    const int64_t kb = trans_b_ ? b.dim(rb - 1) : b.dim(rb - 2);
    N = trans_b_ ? b.dim(rb - 2) : b.dim(rb - 1);
    if (trans_b_)
      b_rs = 1, b_cs = ci(K);
    else
      b_rs = ci(N), b_cs = 1;
    if (kb != K) return false;
    // Batches: equal batch dims, or one operand 2-D and shared by all.
    const Shape batch_a(a.shape().begin(), a.shape().end() - 2), batch_b(b.shape().begin(), b.shape().end() - 2);
    int64_t batches = 1;
    cl_int a_bs = ci(M * K), b_bs = ci(K * N);
    if (gemm_) {
      if (ra != 2 || rb != 2) return false;
    } else if (batch_a == batch_b) {
      batches = shape_numel(batch_a);
    } else if (batch_b.empty()) {
      batches = shape_numel(batch_a), b_bs = 0;
    } else if (batch_a.empty()) {
      batches = shape_numel(batch_b), a_bs = 0;
    } else {
      return false;
    }
    if (y.numel() != batches * M * N) return false;
    cl_mem dc = nullptr;
    cl_int c_rs = 0, c_cs = 0;
    if (has_c_) {
      const Tensor& c = ctx.input(2);
      if (c.dtype() != DataType::kFloat32 || c.rank() > 2) return false;
      const int64_t c_rows = c.rank() == 2 ? c.dim(0) : 1, c_cols = c.rank() >= 1 ? c.dim(c.rank() - 1) : 1;
      if ((c_rows != 1 && c_rows != M) || (c_cols != 1 && c_cols != N)) return false;
      c_rs = c_rows == 1 ? 0 : ci(c_cols);
      c_cs = c_cols == 1 ? 0 : 1;
    }
    if (y.numel() == 0) return true;
    if (K == 0) return false;  // Y = beta * C only: not worth a device kernel
    PX_ASSIGN_OR_RETURN(cl_mem da, input(ctx, 0));
    PX_ASSIGN_OR_RETURN(cl_mem db, input(ctx, 1));
    if (has_c_) {
      PX_ASSIGN_OR_RETURN(dc, input(ctx, 2));
    }
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    if (!has_c_ && clblast_) {
      GemmCall g;
      g.trans_a = trans_a_, g.trans_b = trans_b_, g.alpha = alpha_;
      g.m = static_cast<size_t>(M), g.n = static_cast<size_t>(N), g.k = static_cast<size_t>(K);
      g.batches = static_cast<size_t>(batches);
      g.a = da, g.b = db, g.y = dy;
      g.a_stride = static_cast<size_t>(a_bs), g.b_stride = static_cast<size_t>(b_bs);
      PX_ASSIGN_OR_RETURN(bool done, clblast_gemm(rt().queue(), g));
      if (done) {
        env_.backend->count_dispatch();  // one call; CLBlast may launch a few kernels for it
        PX_RETURN_IF_ERROR(download(ctx, 0));
        return true;
      }
    }
    PX_RETURN_IF_ERROR(set_args(kernel_, da, db, dc, dy, ci(M), ci(N), ci(K), a_rs, a_cs, b_rs, b_cs, a_bs, b_bs, c_rs,
                                c_cs, alpha_, beta_));
    auto round_up = [&](int64_t v) { return static_cast<size_t>((v + ts_ - 1) / ts_ * ts_); };
    size_t global[3] = {round_up(N), round_up(M), static_cast<size_t>(batches)};
    size_t local[3] = {static_cast<size_t>(ts_), static_cast<size_t>(ts_), 1};
    PX_RETURN_IF_ERROR(dispatch(kernel_, 3, global, local));
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  bool gemm_ = false, trans_a_ = false, trans_b_ = false, has_c_ = false;
  bool clblast_ = false;  // DeviceEnv::clblast
  float alpha_ = 1.0f, beta_ = 1.0f;
  int ts_ = 16;
  ClKernel kernel_;
};

}  // namespace

bool supports_matmul(const KernelCreateContext& ctx) {
  if (ctx.num_outputs() != 1 || !float_inputs(ctx, ctx.num_inputs())) return false;
  if (ctx.node().op_type == "MatMul") return ctx.num_inputs() == 2 && only_attributes(ctx, {});
  // Gemm before opset 7 had a 'broadcast' attribute; C is optional from 11.
  if (ctx.opset() < 7 || !only_attributes(ctx, {"alpha", "beta", "transA", "transB"})) return false;
  if (ctx.num_inputs() < 2 || ctx.num_inputs() > 3) return false;
  return ctx.attrs().get_float("alpha", 1.0f).is_ok() && ctx.attrs().get_float("beta", 1.0f).is_ok() &&
         ctx.attrs().get_int("transA", 0).is_ok() && ctx.attrs().get_int("transB", 0).is_ok();
}

Result<std::unique_ptr<DeviceKernel>> make_matmul(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return GemmKernel::make(ctx, env);
}

}  // namespace parallax::opencl
