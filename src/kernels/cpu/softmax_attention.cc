// com.parallax.SoftmaxAttention(Q, Kt, V, bias?), attribute `scale` (default 1):
//
//   Y = MatMul(Softmax(MatMul(Q, Kt) * scale [+ bias], axis = -1), V)
//
// what graph/passes/fuse_attention.cc makes of the nodes that exporters
// write for scaled dot-product attention. The bias (a mask, a position bias)
// broadcasts to the scores as Add does. quantize_static's models round the
// scores and the probabilities to an int8 grid (QuantizeLinear ->
// DequantizeLinear): attributes scores_qdq and probs_qdq, [scale, lowest -
// zero point, max - zero point], do the same here (quant_util.h round_trip).
//
// Unfused, the scores [..., M, N] go through memory three times at full
// size: whisper_tiny's encoder writes 54 MB of them per layer, and its
// Q x Kt (K = 64) took three times as long as the product with V, which has
// the same work. Here the rows of Q go in blocks whose scores (all batch
// entries) take about 2 MiB: scores, Softmax and the product with V stay in
// cache.
//
// float32 with Q, Kt and V of rank >= 2 runs blocked on oneDNN batched
// matmuls (batch dims broadcast as MatMul's); anything else (other types,
// 1-D operands, a problem oneDNN refuses) runs the three ops one after the
// other in plain loops, with MatMul's and Softmax's semantics.
#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/dnnl_matmul.h"
#include "kernels/cpu/quant_util.h"
#include "kernels/cpu/simd_f32.h"
#include "kernels/cpu/softmax_row.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

// Scores per block. Measured on whisper_tiny_encoder (6 heads x 1500 x
// 1500 scores per layer, 1 thread): four layers took 401 ms with 128 KiB
// blocks, 204 with 256 KiB, 143 with 1 MiB, 131 with 2 MiB, 132 with 4 MiB
// (unfused: 212). Small blocks lose to the fixed cost of each oneDNN call
// and to its kernels' short rows.
constexpr int64_t kScoreBlockBytes = int64_t{2} << 20;

// Shape -> oneDNN dims with `rows` in place of the next-to-last dim.
dnnl::memory::dims with_rows(const Shape& s, int64_t rows) {
  dnnl::memory::dims d(s.begin(), s.end());
  d[d.size() - 2] = rows;
  return d;
}

// `s` left-padded with ones to rank `r`.
Shape padded(const Shape& s, size_t r) {
  Shape p(r - s.size(), 1);
  p.insert(p.end(), s.begin(), s.end());
  return p;
}

// Where each row (last axis) of a tensor of shape `to` reads a tensor of
// shape `from` broadcast to it: the row's offset in `from`, and whether
// `from` runs along the row (else the row reads one value).
struct BroadcastRows {
  std::vector<int64_t> offset;
  bool along = false;
};

BroadcastRows broadcast_rows(const Shape& from, const Shape& to) {
  const size_t r = to.size();
  const Shape f = padded(from, r);
  const std::vector<int64_t> st = strides_of(f);
  BroadcastRows b;
  b.along = f[r - 1] != 1;
  const int64_t rows = to[r - 1] == 0 ? 0 : shape_numel(to) / to[r - 1];
  b.offset.resize(static_cast<size_t>(rows));
  std::vector<int64_t> idx(r - 1, 0);
  for (int64_t i = 0; i < rows; ++i) {
    int64_t o = 0;
    for (size_t d = 0; d + 1 < r; ++d)
      if (f[d] != 1) o += idx[d] * st[d];
    b.offset[static_cast<size_t>(i)] = o;
    for (size_t d = r - 1; d-- > 0;) {
      if (++idx[d] < to[d]) break;
      idx[d] = 0;
    }
  }
  return b;
}

// A quantize-dequantize round trip, to the bit as
// kernels/cpu/quantize_dequantize.cc computes it.
struct RoundTrip {
  bool on = false;
  float scale = 1.0f, lo = 0.0f, hi = 0.0f;

  static Result<RoundTrip> parse(const KernelCreateContext& ctx, const char* name) {
    RoundTrip r;
    if (!ctx.attrs().has(name)) return r;
    PX_ASSIGN_OR_RETURN(std::vector<float> v, ctx.attrs().get_floats(name));
    if (v.size() != 3 || !(v[0] > 0.0f) || !std::isfinite(v[0]) || !(v[1] <= v[2]))
      return error(StatusCode::kInvalidArgument, "SoftmaxAttention: ", name,
                   " must be [scale > 0, lowest - zero point, max - zero point]");
    r = {true, v[0], v[1], v[2]};
    return r;
  }

  template <typename T>
  void apply(T* x, int64_t n) const {
    if (!on) return;
    int64_t i = 0;
    if constexpr (std::is_same_v<T, float>) {
      for (; i + simd::kF32Lanes <= n; i += simd::kF32Lanes) {
        simd::F32 v = simd::load(x + i) / scale;
        v = v > lo ? v : simd::splat(lo);
        v = v < hi ? v : simd::splat(hi);
        simd::store(x + i, ((v + 12582912.0f) - 12582912.0f) * scale);
      }
    }
    for (; i < n; ++i) x[i] = static_cast<T>(quant_detail::round_trip(static_cast<float>(x[i]), scale, lo, hi));
  }
};

// Numpy matmul of a and b into y (shape from matmul_shape), in T.
template <typename T>
void matmul_plain(const T* a, Shape as, const T* b, Shape bs, T* y, float scale) {
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const size_t r = std::max(as.size(), bs.size());
  as = padded(as, r);
  bs = padded(bs, r);
  const int64_t M = as[r - 2], K = as[r - 1], N = bs[r - 1];
  Shape batch(r - 2);
  for (size_t d = 0; d + 2 < r; ++d) batch[d] = std::max(as[d], bs[d]);
  const auto sa = strides_of(as), sb = strides_of(bs);
  std::vector<int64_t> idx(r - 2, 0);
  for (int64_t bi = 0, nb = shape_numel(batch); bi < nb; ++bi) {
    int64_t ao = 0, bo = 0;
    for (size_t d = 0; d + 2 < r; ++d) {
      if (as[d] != 1) ao += idx[d] * sa[d];
      if (bs[d] != 1) bo += idx[d] * sb[d];
    }
    T* yb = y + bi * M * N;
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        T acc = T(0);
        for (int64_t k = 0; k < K; ++k) acc += a[ao + i * K + k] * b[bo + k * N + j];
        yb[i * N + j] = acc * static_cast<T>(scale);
      }
    for (size_t d = r - 2; d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
}

class SoftmaxAttentionKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    if (ctx.num_inputs() != 3 && ctx.num_inputs() != 4)
      return error(StatusCode::kInvalidArgument, "SoftmaxAttention needs Q, Kt, V and an optional bias");
    auto k = std::make_unique<SoftmaxAttentionKernel>();
    PX_ASSIGN_OR_RETURN(k->scale_, ctx.attrs().get_float("scale", 1.0f));
    PX_ASSIGN_OR_RETURN(k->scores_qdq_, RoundTrip::parse(ctx, "scores_qdq"));
    PX_ASSIGN_OR_RETURN(k->probs_qdq_, RoundTrip::parse(ctx, "probs_qdq"));
    k->scores_.configure({}, nullptr);
    k->values_.configure({}, nullptr);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const DataType t = ctx.input_dtype(0);
    const bool bias = ctx.num_inputs() > 3 && ctx.has_input(3);
    if (ctx.input_dtype(1) != t || ctx.input_dtype(2) != t || (bias && ctx.input_dtype(3) != t))
      return error(StatusCode::kInvalidArgument, "SoftmaxAttention: Q, Kt, V and bias must share one element type");
    if (t != DataType::kUndefined && t != DataType::kFloat32 && t != DataType::kFloat64)
      return error(StatusCode::kUnsupported, "SoftmaxAttention: element type ", data_type_name(t), " is not supported");
    PX_ASSIGN_OR_RETURN(Shape s,
                        quant_detail::matmul_shape("SoftmaxAttention", ctx.input_shape(0), ctx.input_shape(1)));
    if (bias) {
      PX_ASSIGN_OR_RETURN(s, broadcast_shapes(s, ctx.input_shape(3)));
    }
    if (s.empty()) return error(StatusCode::kInvalidArgument, "SoftmaxAttention: the scores are a scalar");
    // The scores are never stored whole here, but the unfused graph would
    // have held them: the same admission rule applies, and it keeps the
    // block arithmetic below in range.
    if (Status st = check_shape_extent(s); !st.is_ok())
      return error(StatusCode::kInvalidArgument, "SoftmaxAttention: scores ", st.message());
    PX_ASSIGN_OR_RETURN(Shape y, quant_detail::matmul_shape("SoftmaxAttention", s, ctx.input_shape(2)));
    ctx.set_output(0, t, y);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    try {
      return compute_any(ctx);
    } catch (const std::bad_alloc&) {
      // A block of one row of scores, or the plain loops' whole scores.
      return error(StatusCode::kResourceExhausted, "SoftmaxAttention: out of memory for the scores");
    }
  }

 private:
  Status compute_any(ComputeContext& ctx) {
    const Tensor &q = ctx.input(0), &kt = ctx.input(1), &v = ctx.input(2);
    const Tensor* bias = ctx.num_inputs() > 3 && ctx.has_input(3) ? &ctx.input(3) : nullptr;
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return Status::ok();
    if (q.dtype() == DataType::kFloat32 && q.rank() >= 2 && kt.rank() >= 2 && v.rank() >= 2) {
      // Whatever the blocked path cannot do (oneDNN refusing a broadcast
      // included), the plain loops do; they write all of Y again.
      if (compute_blocked(q, kt, v, bias, y, ctx.num_threads()).is_ok()) return Status::ok();
    }
    if (q.dtype() == DataType::kFloat32) return compute_plain<float>(q, kt, v, bias, y);
    return compute_plain<double>(q, kt, v, bias, y);
  }

  Status compute_blocked(const Tensor& q, const Tensor& kt, const Tensor& v, const Tensor* bias, Tensor& y,
                         int threads) {
    const size_t r = std::max({q.rank(), kt.rank(), v.rank()});
    const Shape qs = padded(q.shape(), r), ks = padded(kt.shape(), r), vs = padded(v.shape(), r);
    if (r > 12) return error(StatusCode::kUnsupported, "rank too high for oneDNN");
    const int64_t M = qs[r - 2], N = ks[r - 1];
    Shape sb(r - 2), yb(r - 2);  // batch dims of the scores and of Y
    for (size_t d = 0; d + 2 < r; ++d) {
      sb[d] = std::max(qs[d], ks[d]);
      yb[d] = std::max(sb[d], vs[d]);
    }
    Shape ss = sb, ys = yb;  // full shapes of the scores and of Y
    ss.insert(ss.end(), {M, N});
    ys.insert(ys.end(), {M, vs[r - 1]});
    const int64_t batch = shape_numel(sb);
    if (N == 0 || batch == 0) return error(StatusCode::kUnsupported, "empty scores");
    BroadcastRows bias_rows;
    if (bias) {
      // A bias that widens the scores (more batch entries) takes the plain loops.
      auto widened = broadcast_shapes(ss, bias->shape());
      if (!widened.is_ok() || *widened != ss) return error(StatusCode::kUnsupported, "bias widens the scores");
      bias_rows = broadcast_rows(bias->shape(), ss);
    }
    const int64_t rows = std::clamp<int64_t>(kScoreBlockBytes / (batch * N * 4), 1, M);
    auto* scores = static_cast<float*>(dnnl_util::thread_scratch(0, static_cast<size_t>(batch * rows * N * 4)));

    const std::vector<int64_t> q_strides = strides_of(qs), y_strides = strides_of(ys);
    for (int64_t r0 = 0; r0 < M; r0 += rows) {
      const int64_t n_rows = std::min(rows, M - r0);
      dnnl_util::MatmulProblem p1;
      p1.a = with_rows(qs, n_rows);
      p1.a_strides = q_strides;
      p1.b = with_rows(ks, ks[r - 2]);
      p1.b_strides = strides_of(ks);
      p1.dst = with_rows(ss, n_rows);
      p1.alpha = scale_;
      PX_RETURN_IF_ERROR(scores_.run(p1, q.data<float>() + r0 * qs[r - 1], kt.data<float>(), nullptr, scores, nullptr));
      parallel_for(threads, batch * n_rows, std::max<int64_t>(1, 16384 / N), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          float* row = scores + i * N;
          if (bias) {
            // Row i of the block is row (batch entry, r0 + i % n_rows) of the scores.
            const int64_t at = (i / n_rows) * M + r0 + i % n_rows;
            const float* br = bias->data<float>() + bias_rows.offset[static_cast<size_t>(at)];
            if (bias_rows.along) {
              for (int64_t j = 0; j < N; ++j) row[j] += br[j];
            } else {
              for (int64_t j = 0; j < N; ++j) row[j] += br[0];
            }
          }
          scores_qdq_.apply(row, N);
          softmax::softmax_row_f32(row, row, N);
          probs_qdq_.apply(row, N);
        }
      });
      dnnl_util::MatmulProblem p2;
      p2.a = with_rows(ss, n_rows);
      p2.a_strides = strides_of(Shape(p2.a.begin(), p2.a.end()));
      p2.b = with_rows(vs, N);
      p2.b_strides = strides_of(vs);
      p2.dst = with_rows(ys, n_rows);
      p2.dst_strides = y_strides;
      PX_RETURN_IF_ERROR(values_.run(p2, scores, v.data<float>(), nullptr, y.data<float>() + r0 * ys[r - 1], nullptr));
    }
    return Status::ok();
  }

  template <typename T>
  Status compute_plain(const Tensor& q, const Tensor& kt, const Tensor& v, const Tensor* bias, Tensor& y) const {
    PX_ASSIGN_OR_RETURN(Shape ss, quant_detail::matmul_shape("SoftmaxAttention", q.shape(), kt.shape()));
    Tensor s = Tensor::allocate(q.dtype(), ss);
    matmul_plain<T>(q.data<T>(), q.shape(), kt.data<T>(), kt.shape(), s.data<T>(), scale_);
    if (bias) {
      // scores + bias, broadcast both ways as Add does.
      PX_ASSIGN_OR_RETURN(Shape sum_shape, broadcast_shapes(ss, bias->shape()));
      Tensor sum = Tensor::allocate(q.dtype(), sum_shape);
      const BroadcastRows from_s = broadcast_rows(ss, sum_shape), from_b = broadcast_rows(bias->shape(), sum_shape);
      const int64_t n = sum_shape.back();
      for (size_t i = 0; i < from_s.offset.size(); ++i)
        for (int64_t j = 0; j < n; ++j)
          sum.data<T>()[static_cast<int64_t>(i) * n + j] = s.data<T>()[from_s.offset[i] + (from_s.along ? j : 0)] +
                                                           bias->data<T>()[from_b.offset[i] + (from_b.along ? j : 0)];
      s = std::move(sum);
      ss = sum_shape;
    }
    const int64_t n = ss.back();
    T* sp = s.data<T>();
    for (int64_t i = 0; n > 0 && i < s.numel() / n; ++i) {
      T* row = sp + i * n;
      scores_qdq_.apply(row, n);
      T m = row[0], sum = T(0);
      for (int64_t j = 1; j < n; ++j) m = row[j] > m ? row[j] : m;
      for (int64_t j = 0; j < n; ++j) sum += row[j] = std::exp(row[j] - m);
      for (int64_t j = 0; j < n; ++j) row[j] /= sum;
      probs_qdq_.apply(row, n);
    }
    matmul_plain<T>(sp, ss, v.data<T>(), v.shape(), y.data<T>(), 1.0f);
    return Status::ok();
  }

  float scale_ = 1.0f;
  RoundTrip scores_qdq_, probs_qdq_;
  dnnl_util::CachedMatmul scores_, values_;
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "SoftmaxAttention", 1, kMaxOpset, SoftmaxAttentionKernel::create);

}  // namespace parallax
