// Gemm (opsets 1-17): Y = alpha * op(A) x op(B) + beta * C, with transA /
// transB and C broadcast to [M, N] (C optional from opset 11), plus the
// fused-activation hook (px_activation / px_residual, see dnnl_util.h).
//
// float32 runs on a cached oneDNN matmul (transposes via strides, constant B
// prepacked, alpha as output scale, beta*C as a broadcast bias). Integer and
// float64 Gemm use a portable loop.
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

class GemmKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<GemmKernel>();
    PX_ASSIGN_OR_RETURN(k->alpha_, ctx.attrs().get_float("alpha", 1.0f));
    PX_ASSIGN_OR_RETURN(k->beta_, ctx.attrs().get_float("beta", 1.0f));
    PX_ASSIGN_OR_RETURN(int64_t ta, ctx.attrs().get_int("transA", 0));
    PX_ASSIGN_OR_RETURN(int64_t tb, ctx.attrs().get_int("transB", 0));
    k->trans_a_ = ta != 0;
    k->trans_b_ = tb != 0;
    PX_ASSIGN_OR_RETURN(k->act_, FusedActivation::parse(ctx));
    size_t n = ctx.num_inputs();
    if (n < 2) return error(StatusCode::kInvalidArgument, "Gemm needs inputs A and B");
    if (k->act_.residual) {
      if (n < 3) return error(StatusCode::kInvalidArgument, "px_residual set but no residual input");
      k->residual_index_ = static_cast<int>(n - 1);
      k->has_c_ = n >= 4 && ctx.has_input(2);
    } else {
      k->has_c_ = n >= 3 && ctx.has_input(2);
    }
    // A constant float B (a weight) is kept packed; its plain bytes read as
    // op(B) = [k, n] through strides.
    const Tensor* b = ctx.constant_input(1);
    if (b && b->dtype() == DataType::kFloat32 && b->rank() == 2) {
      int64_t kd = k->trans_b_ ? b->dim(1) : b->dim(0), nd = k->trans_b_ ? b->dim(0) : b->dim(1);
      dnnl::memory::dims strides = k->trans_b_ ? dnnl::memory::dims{1, kd} : dnnl::memory::dims{nd, 1};
      k->weights_.hold(*b, dnnl::memory::desc({kd, nd}, dnnl::memory::data_type::f32, strides), ctx.weight_cache());
    }
    if (k->has_c_)
      if (const Tensor* c = ctx.constant_input(2)) k->const_c_ = *c;
    k->mm_.configure(k->act_, k->weights_.held() ? &k->weights_ : nullptr);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  struct Dims {
    int64_t m, k, n, cm, cn;
  };

  Result<Dims> dims(const Shape& a, const Shape& b, const Shape* c) const {
    if (a.size() != 2 || b.size() != 2)
      return error(StatusCode::kInvalidArgument, "A and B must be 2-D, got ", shape_to_string(a), " and ",
                   shape_to_string(b));
    Dims d;
    d.m = trans_a_ ? a[1] : a[0];
    d.k = trans_a_ ? a[0] : a[1];
    int64_t kb = trans_b_ ? b[1] : b[0];
    d.n = trans_b_ ? b[0] : b[1];
    if (kb != d.k)
      return error(StatusCode::kInvalidArgument, "inner dimensions differ: op(A) is [", d.m, ", ", d.k, "], op(B) is [",
                   kb, ", ", d.n, "]");
    d.cm = d.cn = 1;
    if (c) {
      if (c->size() > 2) return error(StatusCode::kInvalidArgument, "C must have rank <= 2, got ", shape_to_string(*c));
      if (c->size() == 2) {
        d.cm = (*c)[0];
        d.cn = (*c)[1];
      } else if (c->size() == 1) {
        d.cn = (*c)[0];
      }
      if ((d.cm != 1 && d.cm != d.m) || (d.cn != 1 && d.cn != d.n))
        return error(StatusCode::kInvalidArgument, "C ", shape_to_string(*c), " cannot be broadcast to [", d.m, ", ",
                     d.n, "]");
    }
    return d;
  }

  Status infer(InferContext& ctx) const override {
    const Shape* c = has_c_ ? &ctx.input_shape(2) : nullptr;
    PX_ASSIGN_OR_RETURN(Dims d, dims(ctx.input_shape(0), ctx.input_shape(1), c));
    ctx.set_output(0, ctx.input_dtype(0), {d.m, d.n});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor* c = has_c_ ? &ctx.input(2) : nullptr;
    const Tensor* r = residual_index_ >= 0 ? &ctx.input(static_cast<size_t>(residual_index_)) : nullptr;
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(Dims d, dims(a.shape(), b.shape(), c ? &c->shape() : nullptr));
    if (a.dtype() != b.dtype() || (c && c->dtype() != a.dtype()) || (r && r->dtype() != a.dtype()))
      return error(StatusCode::kInvalidArgument, "A, B, C (and the residual) must share one element type");
    if (r && r->shape() != y.shape())
      return error(StatusCode::kInvalidArgument, "residual shape ", shape_to_string(r->shape()), " differs from output ",
                   shape_to_string(y.shape()));
    if (y.numel() == 0) return Status::ok();
    if (a.dtype() == DataType::kFloat32 && d.k > 0) {
      Status s = compute_dnnl(a, b, c, r, y, d);
      if (s.is_ok()) return s;
    }
    if (weights_.held()) {
      PX_ASSIGN_OR_RETURN(Tensor plain, weights_.plain());
      return compute_ref<float>(a, plain, c, r, y, d);
    }
    return visit_numeric(a.dtype(), [&]<typename T>() { return compute_ref<T>(a, b, c, r, y, d); });
  }

  bool holds_constant(size_t input) const override { return input == 1 && weights_.held(); }

 private:
  Status compute_dnnl(const Tensor& a, const Tensor& b, const Tensor* c, const Tensor* r, Tensor& y, const Dims& d) {
    dnnl_util::MatmulProblem p;
    p.a = {d.m, d.k};
    p.a_strides = trans_a_ ? dnnl::memory::dims{1, d.m} : dnnl::memory::dims{d.k, 1};
    p.b = {d.k, d.n};
    p.b_strides = trans_b_ ? dnnl::memory::dims{1, d.k} : dnnl::memory::dims{d.n, 1};
    p.dst = {d.m, d.n};
    p.alpha = alpha_;
    const float* bias = nullptr;
    if (c && beta_ != 0.0f) {
      p.bias = {d.cm, d.cn};
      // oneDNN scales the bias together with the product: pass beta*C/alpha.
      float scale = alpha_ != 0.0f ? beta_ / alpha_ : 0.0f;
      if (alpha_ == 0.0f) return error(StatusCode::kUnsupported, "alpha 0 with bias");
      if (scale == 1.0f) {
        bias = c->data<float>();
      } else {
        bool cached = !const_c_.empty() && !scaled_c_.empty();
        if (!cached || const_c_.empty()) {
          scaled_c_.resize(static_cast<size_t>(c->numel()));
          const float* cp = c->data<float>();
          for (size_t i = 0; i < scaled_c_.size(); ++i) scaled_c_[i] = cp[i] * scale;
        }
        bias = scaled_c_.data();
      }
    }
    return mm_.run(p, a.data<float>(), b.data<float>(), bias, y.data<float>(), r ? r->data<float>() : nullptr);
  }

  template <typename T>
  Status compute_ref(const Tensor& a, const Tensor& b, const Tensor* c, const Tensor* r, Tensor& y, const Dims& d) {
    const T* ap = a.data<T>();
    const T* bp = b.data<T>();
    const T* cp = c ? c->data<T>() : nullptr;
    T* yp = y.data<T>();
    const int64_t M = d.m, N = d.n, K = d.k;
    for (int64_t i = 0; i < M; ++i) {
      T* row = yp + i * N;
      for (int64_t j = 0; j < N; ++j) row[j] = T(0);
      for (int64_t kk = 0; kk < K; ++kk) {
        T av = trans_a_ ? ap[kk * M + i] : ap[i * K + kk];
        // Integer products and sums wrap (wrap_mul, wrap_add): signed
        // overflow on the model's values would be undefined behaviour.
        if (trans_b_) {
          for (int64_t j = 0; j < N; ++j) row[j] = wrap_add(row[j], wrap_mul(av, bp[j * K + kk]));
        } else {
          const T* brow = bp + kk * N;
          for (int64_t j = 0; j < N; ++j) row[j] = wrap_add(row[j], wrap_mul(av, brow[j]));
        }
      }
      // alpha and beta are floats: for integers the scaled values saturate.
      auto scaled = [](float s, T x) {
        if constexpr (kIsInteger<T>) {
          return saturate_cast<T>(static_cast<double>(s) * static_cast<double>(x));
        } else {
          return static_cast<T>(s * x);
        }
      };
      for (int64_t j = 0; j < N; ++j) {
        T v = scaled(alpha_, row[j]);
        if (cp && beta_ != 0.0f) v = wrap_add(v, scaled(beta_, cp[(d.cm == 1 ? 0 : i) * d.cn + (d.cn == 1 ? 0 : j)]));
        if (r) v = wrap_add(v, r->data<T>()[i * N + j]);
        row[j] = v;
      }
      if constexpr (std::is_floating_point_v<T>) act_.apply(row, N);
    }
    return Status::ok();
  }

  float alpha_ = 1.0f, beta_ = 1.0f;
  bool trans_a_ = false, trans_b_ = false, has_c_ = false;
  int residual_index_ = -1;
  FusedActivation act_;
  Tensor const_c_;
  dnnl_util::PackedWeights weights_;
  std::vector<float> scaled_c_;
  dnnl_util::CachedMatmul mm_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Gemm", 1, kMaxOpset, make_kernel<GemmKernel>);
// The fused form (graph/fused_ops.h): the same op with the epilogue its px_ attributes name.
PX_REGISTER_KERNEL("com.parallax", "Gemm", 1, kMaxOpset, make_kernel<GemmKernel>);

}  // namespace parallax
