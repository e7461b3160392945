// LSTM (gates i, o, f, c): forward / reverse / bidirectional, optional bias,
// sequence_lens, initial_h / initial_c and peepholes, custom activations,
// clip, input_forget and (opset 14) layout. The input projection of all time
// steps is one matrix product; each step then multiplies H_{t-1} by R^T.
#include <algorithm>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/rnn_util.h"

namespace parallax {
namespace {

using namespace rnn_detail;

class LstmKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<LstmKernel>();
    PX_ASSIGN_OR_RETURN(k->a_, parse_rnn_attrs(ctx, "LSTM", {"Sigmoid", "Tanh", "Tanh"}));
    PX_ASSIGN_OR_RETURN(int64_t inf, ctx.attrs().get_int("input_forget", 0));
    k->input_forget_ = inf != 0;
    k->prepack(ctx, 4);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return infer_recurrent_outputs(ctx, a_, "LSTM", 4, 2); }

  Status compute(ComputeContext& ctx) override {
    DataType dt = ctx.input(0).dtype();
    if (dt == DataType::kFloat32) return run<float>(ctx);
    if (dt == DataType::kFloat64) return run<double>(ctx);
    return error(StatusCode::kUnsupported, "LSTM: element type ", data_type_name(dt), " is not supported");
  }

 private:
  template <typename T>
  Status run(ComputeContext& ctx) {
    const Tensor& X = ctx.input(0);
    const Tensor& Wt = ctx.input(1);
    const Tensor& Rt = ctx.input(2);
    RnnAttrs a = a_;
    if (a.hidden == 0) a.hidden = Rt.dim(2);
    PX_ASSIGN_OR_RETURN(RnnDims d, check_rnn_shapes("LSTM", a, 4, X.shape(), Wt.shape(), Rt.shape()));
    const int64_t H = a.hidden, G = 4 * H, B = d.batch, S = d.seq, I = d.input;
    PX_ASSIGN_OR_RETURN(auto lens, read_seq_lens("LSTM", ctx, 4, B, S));
    const OutIndex oi{a.layout, S, a.dirs, B, H};
    const T* bias = nullptr;
    if (ctx.has_input(3) && ctx.input(3).numel() > 0) {
      if (ctx.input(3).numel() != a.dirs * 2 * G)
        return error(StatusCode::kInvalidArgument, "LSTM: B must have ", a.dirs * 2 * G, " elements");
      bias = ctx.input(3).template data<T>();
    }
    const T* h0 = nullptr;
    const T* c0 = nullptr;
    const T* peep = nullptr;
    if (ctx.has_input(5) && ctx.input(5).numel() > 0) {
      if (ctx.input(5).numel() != a.dirs * B * H)
        return error(StatusCode::kInvalidArgument, "LSTM: initial_h must have ", a.dirs * B * H, " elements");
      h0 = ctx.input(5).template data<T>();
    }
    if (ctx.has_input(6) && ctx.input(6).numel() > 0) {
      if (ctx.input(6).numel() != a.dirs * B * H)
        return error(StatusCode::kInvalidArgument, "LSTM: initial_c must have ", a.dirs * B * H, " elements");
      c0 = ctx.input(6).template data<T>();
    }
    if (ctx.has_input(7) && ctx.input(7).numel() > 0) {
      if (ctx.input(7).numel() != a.dirs * 3 * H)
        return error(StatusCode::kInvalidArgument, "LSTM: P must have ", a.dirs * 3 * H, " elements");
      peep = ctx.input(7).template data<T>();
    }
    T* Y = ctx.has_output(0) ? ctx.output(0).template data<T>() : nullptr;
    T* Yh = ctx.has_output(1) ? ctx.output(1).template data<T>() : nullptr;
    T* Yc = ctx.has_output(2) ? ctx.output(2).template data<T>() : nullptr;
    if (Y) std::fill_n(Y, ctx.output(0).numel(), T(0));

    std::vector<T> xs = seq_major_x<T>(X, a.layout, d);
    const int64_t max_len = B > 0 ? *std::max_element(lens.begin(), lens.end()) : 0;
    RecurrentWeights<T>& rw = weights<T>();
    const bool use_rt = rw.prepare(Rt.data<T>(), a.dirs, G, H, B, max_len);

    for_each_direction(ctx.num_threads(), a.dirs, [&](int64_t dir) {
      std::vector<T> xw(static_cast<size_t>(S * B * G));
      std::vector<T> gates(static_cast<size_t>(B * G));
      std::vector<T> h(static_cast<size_t>(B * H)), c(static_cast<size_t>(B * H)), tmp(static_cast<size_t>(H));
      const bool rev = a.reverse_only || dir == 1;
      const Activation& fa = a.acts[static_cast<size_t>(dir * 3)];
      const Activation& ga = a.acts[static_cast<size_t>(dir * 3 + 1)];
      const Activation& ha = a.acts[static_cast<size_t>(dir * 3 + 2)];
      const T* W = Wt.data<T>() + dir * G * I;
      gemm_nt(S * B, G, I, xs.data(), I, W, I, T(0), xw.data(), G);
      if (bias) {
        const T* wb = bias + dir * 2 * G;
        const T* rb = wb + G;
        std::vector<T> bsum(static_cast<size_t>(G));
        for (int64_t g = 0; g < G; ++g) bsum[g] = wb[g] + rb[g];
        for (int64_t row = 0; row < S * B; ++row) {
          T* p = xw.data() + row * G;
          for (int64_t g = 0; g < G; ++g) p[g] += bsum[g];
        }
      }
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < H; ++j) {
          h[b * H + j] = h0 ? h0[oi.state(dir, b) + j] : T(0);
          c[b * H + j] = c0 ? c0[oi.state(dir, b) + j] : T(0);
        }
      }
      const T* pi = peep ? peep + dir * 3 * H : nullptr;
      const T* po = peep ? pi + H : nullptr;
      const T* pf = peep ? pi + 2 * H : nullptr;
      for (int64_t s = 0; s < max_len; ++s) {
        recurrent_product(use_rt, rw, Rt.data<T>(), dir, G, H, 0, G, B, h.data(), gates.data(), G);
        for (int64_t b = 0; b < B; ++b) {
          const int64_t len = lens[static_cast<size_t>(b)];
          if (s >= len) continue;
          const int64_t t = rev ? len - 1 - s : s;
          T* g = gates.data() + b * G;
          const T* xr = xw.data() + (t * B + b) * G;
          for (int64_t q = 0; q < G; ++q) g[q] += xr[q];
          T* gi = g;
          T* go = g + H;
          T* gf = g + 2 * H;
          T* gc = g + 3 * H;
          T* cb = c.data() + b * H;
          T* hb = h.data() + b * H;
          if (pi) {
            for (int64_t j = 0; j < H; ++j) { gi[j] += pi[j] * cb[j]; gf[j] += pf[j] * cb[j]; }
          }
          clip_values(gi, H, a.clip);
          fa.apply(gi, H);
          if (input_forget_) {
            for (int64_t j = 0; j < H; ++j) gf[j] = T(1) - gi[j];
          } else {
            clip_values(gf, H, a.clip);
            fa.apply(gf, H);
          }
          clip_values(gc, H, a.clip);
          ga.apply(gc, H);
          for (int64_t j = 0; j < H; ++j) cb[j] = gf[j] * cb[j] + gi[j] * gc[j];
          if (po) for (int64_t j = 0; j < H; ++j) go[j] += po[j] * cb[j];
          clip_values(go, H, a.clip);
          fa.apply(go, H);
          std::copy_n(cb, H, tmp.data());
          ha.apply(tmp.data(), H);
          for (int64_t j = 0; j < H; ++j) hb[j] = go[j] * tmp[j];
          if (Y) std::copy_n(hb, H, Y + oi.y(t, dir, b));
        }
      }
      for (int64_t b = 0; b < B; ++b) {
        if (Yh) std::copy_n(h.data() + b * H, H, Yh + oi.state(dir, b));
        if (Yc) std::copy_n(c.data() + b * H, H, Yc + oi.state(dir, b));
      }
    });
    return Status::ok();
  }

  void prepack(const KernelCreateContext& ctx, int64_t gates) {
    const Tensor* r = ctx.constant_input(2);
    if (r == nullptr || r->dtype() != DataType::kFloat32 || r->rank() != 3 || r->dim(1) != gates * r->dim(2)) return;
    r_const_ = *r;  // keeps the bytes (and so their address) alive
    rwf_.pack(r_const_.data<float>(), r->dim(0), r->dim(1), r->dim(2));
    rwf_.source = r_const_.data<float>();
  }
  template <typename T>
  RecurrentWeights<T>& weights() {
    if constexpr (std::is_same_v<T, float>) return rwf_;
    else return rwd_;
  }

  RnnAttrs a_;
  Tensor r_const_;
  RecurrentWeights<float> rwf_;
  RecurrentWeights<double> rwd_;
  bool input_forget_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "LSTM", 1, kMaxOpset, make_kernel<LstmKernel>);

}  // namespace parallax
