// Shared pieces of the recurrent kernels (LSTM, GRU, RNN): activation
// functions with their alpha/beta, the common attributes and input checks,
// the layout handling, and a row-major C = A * B^T (+ beta * C) product
// (oneDNN's sgemm for float, a plain loop for double).
#pragma once

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <type_traits>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/simd_f32.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace rnn_detail {

// The gates' sigmoid and tanh: vmath's (elementwise_math.h), in whole
// vectors. A private exp here turned NaN into an int (undefined behaviour,
// found by the per-op fuzzer) and stayed scalar on AVX2.
inline void sigmoid_inplace(float* x, int64_t n) {
  simd::transform(x, x, n, [](auto v) { return vmath::sigmoid(v); });
}

inline void tanh_inplace(float* x, int64_t n) {
  simd::transform(x, x, n, [](auto v) { return vmath::tanh(v); });
}

enum class Act { kRelu, kTanh, kSigmoid, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid, kElu, kSoftsign, kSoftplus };

struct Activation {
  Act kind = Act::kTanh;
  float alpha = 0.0f, beta = 0.0f;

  // In-place on n values.
  template <typename T>
  void apply(T* x, int64_t n) const {
    const T a = static_cast<T>(alpha), b = static_cast<T>(beta);
    switch (kind) {
      case Act::kRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] > T(0) ? x[i] : T(0); break;
      case Act::kTanh:
        if constexpr (std::is_same_v<T, float>) tanh_inplace(x, n);
        else for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
        break;
      case Act::kSigmoid:
        if constexpr (std::is_same_v<T, float>) sigmoid_inplace(x, n);
        else for (int64_t i = 0; i < n; ++i) x[i] = T(1) / (T(1) + std::exp(-x[i]));
        break;
      case Act::kAffine: for (int64_t i = 0; i < n; ++i) x[i] = a * x[i] + b; break;
      case Act::kLeakyRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] >= T(0) ? x[i] : a * x[i]; break;
      case Act::kThresholdedRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] > a ? x[i] : T(0); break;
      case Act::kScaledTanh: for (int64_t i = 0; i < n; ++i) x[i] = a * std::tanh(b * x[i]); break;
      case Act::kHardSigmoid:
        for (int64_t i = 0; i < n; ++i) x[i] = std::clamp(a * x[i] + b, T(0), T(1));
        break;
      case Act::kElu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] >= T(0) ? x[i] : a * (std::exp(x[i]) - T(1)); break;
      case Act::kSoftsign: for (int64_t i = 0; i < n; ++i) x[i] = x[i] / (T(1) + std::abs(x[i])); break;
      case Act::kSoftplus: for (int64_t i = 0; i < n; ++i) x[i] = std::log1p(std::exp(x[i])); break;
    }
  }
};

inline Result<Act> parse_act(const std::string& name) {
  std::string s;
  for (char c : name) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (s == "relu") return Act::kRelu;
  if (s == "tanh") return Act::kTanh;
  if (s == "sigmoid") return Act::kSigmoid;
  if (s == "affine") return Act::kAffine;
  if (s == "leakyrelu") return Act::kLeakyRelu;
  if (s == "thresholdedrelu") return Act::kThresholdedRelu;
  if (s == "scaledtanh") return Act::kScaledTanh;
  if (s == "hardsigmoid") return Act::kHardSigmoid;
  if (s == "elu") return Act::kElu;
  if (s == "softsign") return Act::kSoftsign;
  if (s == "softplus") return Act::kSoftplus;
  return error(StatusCode::kUnsupported, "unknown recurrent activation '", name, "'");
}

// Attributes every recurrent op shares.
struct RnnAttrs {
  int64_t hidden = 0;
  int64_t dirs = 1;
  bool reverse_only = false;  // direction == "reverse"
  int64_t layout = 0;
  float clip = 0.0f;  // 0 = none
  std::vector<Activation> acts;  // per_dir * dirs, direction-major
};

// Parses hidden_size, direction, layout, clip and activations (with alpha/beta).
inline Result<RnnAttrs> parse_rnn_attrs(const KernelCreateContext& ctx, const char* op,
                                        const std::vector<std::string>& default_acts) {
  RnnAttrs a;
  const Attributes& at = ctx.attrs();
  PX_ASSIGN_OR_RETURN(a.hidden, at.get_int("hidden_size", 0));
  PX_ASSIGN_OR_RETURN(std::string dir, at.get_string("direction", "forward"));
  if (dir == "forward") {
    a.dirs = 1;
  } else if (dir == "reverse") {
    a.dirs = 1;
    a.reverse_only = true;
  } else if (dir == "bidirectional") {
    a.dirs = 2;
  } else {
    return error(StatusCode::kInvalidArgument, op, ": direction must be forward, reverse or bidirectional, got '", dir, "'");
  }
  PX_ASSIGN_OR_RETURN(a.layout, at.get_int("layout", 0));
  if (a.layout != 0 && a.layout != 1) return error(StatusCode::kInvalidArgument, op, ": layout must be 0 or 1");
  if (at.has("clip")) {
    PX_ASSIGN_OR_RETURN(a.clip, at.get_float("clip"));
    if (a.clip <= 0) return error(StatusCode::kInvalidArgument, op, ": clip must be positive");
  }
  const size_t per_dir = default_acts.size();
  std::vector<std::string> names;
  if (at.has("activations")) {
    const Attribute* attr = at.find("activations");
    names = attr->strings;
    if (names.size() != per_dir * static_cast<size_t>(a.dirs))
      return error(StatusCode::kInvalidArgument, op, ": expected ", per_dir * a.dirs, " activations, got ", names.size());
  } else {
    for (int64_t d = 0; d < a.dirs; ++d) names.insert(names.end(), default_acts.begin(), default_acts.end());
  }
  PX_ASSIGN_OR_RETURN(auto alphas, at.get_floats("activation_alpha", std::vector<float>{}));
  PX_ASSIGN_OR_RETURN(auto betas, at.get_floats("activation_beta", std::vector<float>{}));
  size_t ai = 0, bi = 0;
  for (const std::string& n : names) {
    Activation act;
    PX_ASSIGN_OR_RETURN(act.kind, parse_act(n));
    float da = 0, db = 0;
    bool ua = false, ub = false;
    switch (act.kind) {
      case Act::kAffine: da = 1; db = 0; ua = ub = true; break;
      case Act::kLeakyRelu: da = 0.01f; ua = true; break;
      case Act::kThresholdedRelu: da = 1; ua = true; break;
      case Act::kScaledTanh: da = 1; db = 1; ua = ub = true; break;
      case Act::kHardSigmoid: da = 0.2f; db = 0.5f; ua = ub = true; break;
      case Act::kElu: da = 1; ua = true; break;
      default: break;
    }
    act.alpha = (ua && ai < alphas.size()) ? alphas[ai++] : da;
    act.beta = (ub && bi < betas.size()) ? betas[bi++] : db;
    a.acts.push_back(act);
  }
  return a;
}

// Shapes of the common inputs, checked: X, W, R (gates = number of gate blocks).
struct RnnDims {
  int64_t seq = 0, batch = 0, input = 0;
};

inline Result<RnnDims> check_rnn_shapes(const char* op, const RnnAttrs& a, int64_t gates, const Shape& x, const Shape& w,
                                        const Shape& r) {
  if (x.size() != 3) return error(StatusCode::kInvalidArgument, op, ": X must be 3-D, got ", shape_to_string(x));
  RnnDims d;
  d.seq = a.layout == 0 ? x[0] : x[1];
  d.batch = a.layout == 0 ? x[1] : x[0];
  d.input = x[2];
  const int64_t H = a.hidden;
  // hidden_size is an unbounded attribute: gates * H is checked.
  auto rows = checked_mul(gates, H);
  if (H < 0 || !rows.is_ok())
    return error(StatusCode::kInvalidArgument, op, ": attribute hidden_size ", H, " is out of range");
  const int64_t GH = rows.value();
  if (w.size() != 3 || w[0] != a.dirs || w[1] != GH || w[2] != d.input)
    return error(StatusCode::kInvalidArgument, op, ": W has shape ", shape_to_string(w), ", expected [", a.dirs, ",",
                 GH, ",", d.input, "]");
  if (r.size() != 3 || r[0] != a.dirs || r[1] != GH || r[2] != H)
    return error(StatusCode::kInvalidArgument, op, ": R has shape ", shape_to_string(r), ", expected [", a.dirs, ",",
                 GH, ",", H, "]");
  return d;
}

// Output shapes: Y and the per-direction state outputs (Y_h / Y_c).
inline Shape y_shape(const RnnAttrs& a, const RnnDims& d) {
  return a.layout == 0 ? Shape{d.seq, a.dirs, d.batch, a.hidden} : Shape{d.batch, d.seq, a.dirs, a.hidden};
}
inline Shape state_shape(const RnnAttrs& a, const RnnDims& d) {
  return a.layout == 0 ? Shape{a.dirs, d.batch, a.hidden} : Shape{d.batch, a.dirs, a.hidden};
}

// Infers Y and the `states` state outputs (Y_h, and Y_c for LSTM) of RNN,
// GRU and LSTM, taking hidden_size from R when the attribute is absent.
inline Status infer_recurrent_outputs(InferContext& ctx, RnnAttrs a, const char* op, int64_t gates, size_t states) {
  const Shape& r = ctx.input_shape(2);
  if (a.hidden == 0 && r.size() == 3) a.hidden = r[2];
  PX_ASSIGN_OR_RETURN(RnnDims d, check_rnn_shapes(op, a, gates, ctx.input_shape(0), ctx.input_shape(1), r));
  const DataType dt = ctx.input_dtype(0);
  // The kernels read W, R, B, initial_h/c and P as X's element type: another
  // type (an int8 R with a float X) would be read past its end.
  for (size_t i = 1; i < ctx.num_inputs(); ++i)
    if (i != 4 && ctx.has_input(i) && ctx.input_dtype(i) != dt)
      return error(StatusCode::kInvalidModel, op, ": input ", i, " is ", data_type_name(ctx.input_dtype(i)),
                   " but X is ", data_type_name(dt));
  if (ctx.has_output(0)) ctx.set_output(0, dt, y_shape(a, d));
  for (size_t s = 1; s <= states; ++s)
    if (ctx.has_output(s)) ctx.set_output(s, dt, state_shape(a, d));
  return Status::ok();
}

// C[M,N] = A[M,K] * B[N,K]^T + beta * C, all row-major with leading dimensions.
inline void gemm_nt(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                    float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) C[m * ldc + n] = beta == 0.0f ? 0.0f : beta * C[m * ldc + n];
    return;
  }
  dnnl_sgemm('N', 'T', M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
}
inline void gemm_nt(int64_t M, int64_t N, int64_t K, const double* A, int64_t lda, const double* B, int64_t ldb,
                    double beta, double* C, int64_t ldc) {
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      const double* a = A + m * lda;
      const double* b = B + n * ldb;
      for (int64_t k = 0; k < K; ++k) s += a[k] * b[k];
      C[m * ldc + n] = s + (beta == 0.0 ? 0.0 : beta * C[m * ldc + n]);
    }
}

// Small-batch recurrent product: out[b, 0:N] = h[b, 0:K] * Rt[0:K, col:col+N]
// where Rt is R^T (row-major [K, ldr]). Axpy form over contiguous rows of Rt,
// four k at a time, so it vectorises and keeps the output row in L1.
inline void small_gemm_kn(int64_t B, int64_t N, int64_t K, const float* h, int64_t ldh, const float* Rt, int64_t ldr,
                          float* out, int64_t ldo) {
  for (int64_t b = 0; b < B; ++b) {
    float* o = out + b * ldo;
    const float* hb = h + b * ldh;
    for (int64_t n = 0; n < N; ++n) o[n] = 0.0f;
    int64_t k = 0;
    for (; k + 4 <= K; k += 4) {
      const float h0 = hb[k], h1 = hb[k + 1], h2 = hb[k + 2], h3 = hb[k + 3];
      const float* r0 = Rt + k * ldr;
      const float* r1 = r0 + ldr;
      const float* r2 = r1 + ldr;
      const float* r3 = r2 + ldr;
      for (int64_t n = 0; n < N; ++n) o[n] += h0 * r0[n] + h1 * r1[n] + h2 * r2[n] + h3 * r3[n];
    }
    for (; k < K; ++k) {
      const float hk = hb[k];
      const float* r = Rt + k * ldr;
      for (int64_t n = 0; n < N; ++n) o[n] += hk * r[n];
    }
  }
}

// Runs fn(dir) for every direction. The two directions of a bidirectional
// op are independent chains of small steps that no kernel splits well, so
// with two threads or more each runs on a thread of its own. Each then
// computes as it would on one thread (nested GEMMs run single-threaded), so
// the outputs do not depend on the thread count.
template <typename Fn>
void for_each_direction(int threads, int64_t dirs, Fn&& fn) {
  if (dirs == 2 && threads >= 2) {
    parallel_for(2, 2, 1, [&](int64_t begin, int64_t end) {
      for (int64_t dir = begin; dir < end; ++dir) fn(dir);
    });
    return;
  }
  for (int64_t dir = 0; dir < dirs; ++dir) fn(dir);
}

// The recurrence weights R [dirs, G, H] of one node, optionally also
// transposed per direction ([H, G]) for the small-batch product.
template <typename T>
struct RecurrentWeights {
  std::vector<T> rt;          // transposed copy, dirs * H * G
  const void* source = nullptr;  // R data the copy was made from (prepacked constant)

  void pack(const T* R, int64_t dirs, int64_t G, int64_t H) {
    rt.resize(static_cast<size_t>(dirs * G * H));
    for (int64_t d = 0; d < dirs; ++d)
      for (int64_t g = 0; g < G; ++g)
        for (int64_t k = 0; k < H; ++k) rt[static_cast<size_t>((d * H + k) * G + g)] = R[(d * G + g) * H + k];
  }

  // Whether to use the transposed small-batch path for this run (packs if needed).
  bool prepare(const T* R, int64_t dirs, int64_t G, int64_t H, int64_t B, int64_t steps) {
    if constexpr (!std::is_same_v<T, float>) {
      return false;
    } else {
      if (B > 8) return false;
      if (source == R && !rt.empty()) return true;
      if (steps < 2) return false;  // packing would cost as much as the product itself
      pack(R, dirs, G, H);
      source = nullptr;  // not a constant: repack next run
      return true;
    }
  }
};

// out[b, 0:N] = h[b, 0:H] x (rows row0..row0+N of R_dir)^T, by the small-batch
// path on the transposed copy when `use_rt`, else by gemm.
template <typename T>
inline void recurrent_product(bool use_rt, const RecurrentWeights<T>& rw, const T* R, int64_t dir, int64_t G, int64_t H,
                              int64_t row0, int64_t N, int64_t B, const T* h, T* out, int64_t ldo) {
  if constexpr (std::is_same_v<T, float>) {
    if (use_rt) {
      small_gemm_kn(B, N, H, h, H, rw.rt.data() + dir * H * G + row0, G, out, ldo);
      return;
    }
  }
  gemm_nt(B, N, H, h, H, R + (dir * G + row0) * H, H, T(0), out, ldo);
}

// Reads sequence_lens (or fills seq for each batch entry) and checks the range.
inline Result<std::vector<int64_t>> read_seq_lens(const char* op, const ComputeContext& ctx, size_t idx, int64_t batch,
                                                  int64_t seq) {
  std::vector<int64_t> lens(static_cast<size_t>(batch), seq);
  if (ctx.has_input(idx) && ctx.input(idx).numel() > 0) {
    PX_ASSIGN_OR_RETURN(lens, read_int_list(ctx.input(idx)));
    if (static_cast<int64_t>(lens.size()) != batch)
      return error(StatusCode::kInvalidArgument, op, ": sequence_lens has ", lens.size(), " entries for batch ", batch);
    for (int64_t l : lens)
      if (l < 0 || l > seq)
        return error(StatusCode::kInvalidArgument, op, ": sequence length ", l, " is outside [0, ", seq, "]");
  }
  return lens;
}

// X in sequence-major order [seq, batch, input] (a copy when layout == 1).
template <typename T>
std::vector<T> seq_major_x(const Tensor& x, int64_t layout, const RnnDims& d) {
  const T* p = x.data<T>();
  std::vector<T> out(static_cast<size_t>(d.seq * d.batch * d.input));
  if (layout == 0) {
    std::copy_n(p, out.size(), out.begin());
  } else {
    for (int64_t b = 0; b < d.batch; ++b)
      for (int64_t t = 0; t < d.seq; ++t)
        std::copy_n(p + (b * d.seq + t) * d.input, d.input, out.data() + (t * d.batch + b) * d.input);
  }
  return out;
}

// Offsets into Y / Y_h for the given layout.
struct OutIndex {
  int64_t layout, seq, dirs, batch, hidden;
  int64_t y(int64_t t, int64_t dir, int64_t b) const {
    return layout == 0 ? ((t * dirs + dir) * batch + b) * hidden : ((b * seq + t) * dirs + dir) * hidden;
  }
  int64_t state(int64_t dir, int64_t b) const {
    return layout == 0 ? (dir * batch + b) * hidden : (b * dirs + dir) * hidden;
  }
};

template <typename T>
inline void clip_values(T* x, int64_t n, float clip) {
  if (clip <= 0) return;
  const T c = static_cast<T>(clip);
  for (int64_t i = 0; i < n; ++i) x[i] = std::clamp(x[i], -c, c);
}

}  // namespace rnn_detail
}  // namespace parallax
