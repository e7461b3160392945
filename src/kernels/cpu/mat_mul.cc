// MatMul (opsets 1-17): numpy matmul semantics — N-D batched with batch
// broadcasting, 1-D operands promoted and their unit dim dropped. Also takes
// the fused-activation hook (px_activation / px_residual, see dnnl_util.h)
// and, with px_bias (graph/passes/fuse_matmul_epilogue.cc), a constant bias
// over the last axis as input 2.
//
// float32 runs on a cached oneDNN matmul: when B has no batch dims A's batch
// is folded into M (one 2-D GEMM, constant B prepacked once); otherwise a
// batched matmul with broadcast batch dims. Other types use a portable loop.
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/dnnl_matmul.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

using dnnl_util::FusedActivation;

struct MatMulShape {
  Shape batch;       // broadcast batch dims
  Shape a_batch, b_batch;  // each padded to batch.size()
  int64_t m = 1, k = 1, n = 1;
  Shape out;
};

Result<MatMulShape> matmul_shape(const Shape& a0, const Shape& b0) {
  if (a0.empty() || b0.empty()) return error(StatusCode::kInvalidArgument, "MatMul operands must not be scalars");
  MatMulShape s;
  Shape a = a0, b = b0;
  bool a1 = a.size() == 1, b1 = b.size() == 1;
  if (a1) a.insert(a.begin(), 1);
  if (b1) b.push_back(1);
  s.m = a[a.size() - 2];
  s.k = a[a.size() - 1];
  s.n = b[b.size() - 1];
  if (b[b.size() - 2] != s.k)
    return error(StatusCode::kInvalidArgument, "MatMul inner dimensions differ: ", shape_to_string(a0), " x ",
                 shape_to_string(b0));
  Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  PX_ASSIGN_OR_RETURN(s.batch, broadcast_shapes(ab, bb));
  s.a_batch = Shape(s.batch.size() - ab.size(), 1);
  s.a_batch.insert(s.a_batch.end(), ab.begin(), ab.end());
  s.b_batch = Shape(s.batch.size() - bb.size(), 1);
  s.b_batch.insert(s.b_batch.end(), bb.begin(), bb.end());
  s.out = s.batch;
  if (!a1) s.out.push_back(s.m);
  if (!b1) s.out.push_back(s.n);
  return s;
}

class MatMulKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<MatMulKernel>();
    PX_ASSIGN_OR_RETURN(k->act_, FusedActivation::parse(ctx));
    if (ctx.num_inputs() < 2) return error(StatusCode::kInvalidArgument, "MatMul needs inputs A and B");
    PX_ASSIGN_OR_RETURN(int64_t has_bias, ctx.attrs().get_int("px_bias", 0));
    if (has_bias != 0) {
      const Tensor* bias = ctx.num_inputs() > 2 ? ctx.constant_input(2) : nullptr;
      const Tensor* w = ctx.constant_input(1);
      if (!bias || !w || w->rank() != 2 || bias->dtype() != DataType::kFloat32 || w->dtype() != DataType::kFloat32 ||
          bias->numel() != w->dim(1))
        return error(StatusCode::kInvalidArgument,
                     "px_bias needs a constant float32 B of rank 2 and a constant float32 bias of its columns");
      k->bias_ = *bias;
    }
    if (k->act_.residual) {
      if (ctx.num_inputs() < 3) return error(StatusCode::kInvalidArgument, "px_residual set but no residual input");
      k->residual_index_ = static_cast<int>(ctx.num_inputs() - 1);
    }
    // A constant 2-D float B (a weight) is kept packed; others are read each run.
    const Tensor* b = ctx.constant_input(1);
    if (b && b->dtype() == DataType::kFloat32 && b->rank() == 2)
      k->weights_.hold(*b, dnnl_util::plain_f32({b->dim(0), b->dim(1)}), ctx.weight_cache());
    k->mm_.configure(k->act_, k->weights_.held() ? &k->weights_ : nullptr);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(MatMulShape s, matmul_shape(ctx.input_shape(0), ctx.input_shape(1)));
    ctx.set_output(0, ctx.input_dtype(0), s.out);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor* r = residual_index_ >= 0 ? &ctx.input(static_cast<size_t>(residual_index_)) : nullptr;
    Tensor& y = ctx.output(0);
    if (a.dtype() != b.dtype() || (r && r->dtype() != a.dtype()))
      return error(StatusCode::kInvalidArgument, "A and B must share one element type");
    PX_ASSIGN_OR_RETURN(MatMulShape s, matmul_shape(a.shape(), b.shape()));
    if (r && r->shape() != y.shape())
      return error(StatusCode::kInvalidArgument, "residual shape ", shape_to_string(r->shape()), " differs from output ",
                   shape_to_string(y.shape()));
    if (y.numel() == 0) return Status::ok();
    if (a.dtype() == DataType::kFloat32 && s.k > 0) {
      Status st = compute_dnnl(a, b, r, y, s);
      if (st.is_ok()) return st;
    }
    if (weights_.held()) {
      PX_ASSIGN_OR_RETURN(Tensor plain, weights_.plain());
      return compute_ref<float>(a, plain, r, y, s);
    }
    return visit_numeric(a.dtype(), [&]<typename T>() { return compute_ref<T>(a, b, r, y, s); });
  }

  bool holds_constant(size_t input) const override { return input == 1 && weights_.held(); }

 private:
  Status compute_dnnl(const Tensor& a, const Tensor& b, const Tensor* r, Tensor& y, const MatMulShape& s) {
    dnnl_util::MatmulProblem p;
    int64_t bbatch = shape_numel(s.b_batch);
    if (bbatch == 1) {
      // Fold A's batch into M: one 2-D GEMM.
      int64_t rows = shape_numel(s.a_batch) * s.m;
      if (shape_numel(s.batch) != shape_numel(s.a_batch)) return error(StatusCode::kInternal, "unexpected batch");
      p.a = {rows, s.k};
      p.a_strides = {s.k, 1};
      p.b = {s.k, s.n};
      p.b_strides = {s.n, 1};
      p.dst = {rows, s.n};
    } else {
      if (s.batch.size() + 2 > 12) return error(StatusCode::kUnsupported, "rank too high for oneDNN");
      auto full = [](const Shape& batch, int64_t r, int64_t c) {
        dnnl::memory::dims d(batch.begin(), batch.end());
        d.push_back(r);
        d.push_back(c);
        return d;
      };
      p.a = full(s.a_batch, s.m, s.k);
      p.b = full(s.b_batch, s.k, s.n);
      p.dst = full(s.batch, s.m, s.n);
      p.a_strides = strides_of(Shape(p.a.begin(), p.a.end()));
      p.b_strides = strides_of(Shape(p.b.begin(), p.b.end()));
    }
    const float* bias = nullptr;
    if (!bias_.empty()) {
      p.bias = dnnl::memory::dims(p.dst.size(), 1);
      p.bias.back() = s.n;
      bias = bias_.data<float>();
    }
    return mm_.run(p, a.data<float>(), b.data<float>(), bias, y.data<float>(), r ? r->data<float>() : nullptr);
  }

  template <typename T>
  Status compute_ref(const Tensor& a, const Tensor& b, const Tensor* r, Tensor& y, const MatMulShape& s) {
    const T* ap = a.data<T>();
    const T* bp = b.data<T>();
    T* yp = y.data<T>();
    const int64_t M = s.m, K = s.k, N = s.n, nb = shape_numel(s.batch);
    std::vector<int64_t> as = strides_of(s.a_batch), bs = strides_of(s.b_batch);
    size_t rank = s.batch.size();
    std::vector<int64_t> idx(rank, 0);
    for (int64_t bi = 0; bi < nb; ++bi) {
      int64_t ao = 0, bo = 0;
      for (size_t d = 0; d < rank; ++d) {
        if (s.a_batch[d] != 1) ao += idx[d] * as[d];
        if (s.b_batch[d] != 1) bo += idx[d] * bs[d];
      }
      const T* A = ap + ao * M * K;
      const T* B = bp + bo * K * N;
      T* Y = yp + bi * M * N;
      for (int64_t i = 0; i < M; ++i) {
        T* row = Y + i * N;
        for (int64_t j = 0; j < N; ++j) row[j] = bias_.empty() ? T(0) : static_cast<T>(bias_.data<float>()[j]);
        for (int64_t kk = 0; kk < K; ++kk) {
          T av = A[i * K + kk];
          const T* brow = B + kk * N;
          // Integer products and sums wrap (wrap_mul, wrap_add): signed
          // overflow on the model's values would be undefined behaviour.
          for (int64_t j = 0; j < N; ++j) row[j] = wrap_add(row[j], wrap_mul(av, brow[j]));
        }
        if (r) {
          const T* rr = r->data<T>() + bi * M * N + i * N;
          for (int64_t j = 0; j < N; ++j) row[j] = wrap_add(row[j], rr[j]);
        }
        if constexpr (std::is_floating_point_v<T>) act_.apply(row, N);
      }
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < s.batch[d]) break;
        idx[d] = 0;
      }
    }
    return Status::ok();
  }

  FusedActivation act_;
  Tensor bias_;  // px_bias: [N] float32, else empty
  int residual_index_ = -1;
  dnnl_util::PackedWeights weights_;
  dnnl_util::CachedMatmul mm_;
};

}  // namespace

PX_REGISTER_KERNEL("", "MatMul", 1, kMaxOpset, make_kernel<MatMulKernel>);
// The fused form (graph/fused_ops.h): the same op with the epilogue its px_ attributes name.
PX_REGISTER_KERNEL("com.parallax", "MatMul", 1, kMaxOpset, make_kernel<MatMulKernel>);

}  // namespace parallax
