// GRU (gates z, r, h): forward / reverse / bidirectional, optional bias,
// sequence_lens and initial_h, custom activations, clip, linear_before_reset
// and (opset 14) layout. The input projection of all steps is one product.
#include <algorithm>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/rnn_util.h"

namespace parallax {
namespace {

using namespace rnn_detail;

class GruKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<GruKernel>();
    PX_ASSIGN_OR_RETURN(k->a_, parse_rnn_attrs(ctx, "GRU", {"Sigmoid", "Tanh"}));
    PX_ASSIGN_OR_RETURN(int64_t lbr, ctx.attrs().get_int("linear_before_reset", 0));
    k->lbr_ = lbr != 0;
    k->prepack(ctx, 3);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return infer_recurrent_outputs(ctx, a_, "GRU", 3, 1); }

  Status compute(ComputeContext& ctx) override {
    DataType dt = ctx.input(0).dtype();
    if (dt == DataType::kFloat32) return run<float>(ctx);
    if (dt == DataType::kFloat64) return run<double>(ctx);
    return error(StatusCode::kUnsupported, "GRU: element type ", data_type_name(dt), " is not supported");
  }

 private:
  template <typename T>
  Status run(ComputeContext& ctx) {
    const Tensor& X = ctx.input(0);
    const Tensor& Wt = ctx.input(1);
    const Tensor& Rt = ctx.input(2);
    RnnAttrs a = a_;
    if (a.hidden == 0) a.hidden = Rt.dim(2);
    PX_ASSIGN_OR_RETURN(RnnDims d, check_rnn_shapes("GRU", a, 3, X.shape(), Wt.shape(), Rt.shape()));
    const int64_t H = a.hidden, G = 3 * H, B = d.batch, S = d.seq, I = d.input;
    PX_ASSIGN_OR_RETURN(auto lens, read_seq_lens("GRU", ctx, 4, B, S));
    const OutIndex oi{a.layout, S, a.dirs, B, H};
    const T* bias = nullptr;
    if (ctx.has_input(3) && ctx.input(3).numel() > 0) {
      if (ctx.input(3).numel() != a.dirs * 2 * G)
        return error(StatusCode::kInvalidArgument, "GRU: B must have ", a.dirs * 2 * G, " elements");
      bias = ctx.input(3).template data<T>();
    }
    const T* h0 = nullptr;
    if (ctx.has_input(5) && ctx.input(5).numel() > 0) {
      if (ctx.input(5).numel() != a.dirs * B * H)
        return error(StatusCode::kInvalidArgument, "GRU: initial_h must have ", a.dirs * B * H, " elements");
      h0 = ctx.input(5).template data<T>();
    }
    T* Y = ctx.has_output(0) ? ctx.output(0).template data<T>() : nullptr;
    T* Yh = ctx.has_output(1) ? ctx.output(1).template data<T>() : nullptr;
    if (Y) std::fill_n(Y, ctx.output(0).numel(), T(0));

    std::vector<T> xs = seq_major_x<T>(X, a.layout, d);
    const int64_t max_len = B > 0 ? *std::max_element(lens.begin(), lens.end()) : 0;
    RecurrentWeights<T>& rw = weights<T>();
    const bool use_rt = rw.prepare(Rt.data<T>(), a.dirs, G, H, B, max_len);

    for_each_direction(ctx.num_threads(), a.dirs, [&](int64_t dir) {
      std::vector<T> xw(static_cast<size_t>(S * B * G));
      std::vector<T> hr(static_cast<size_t>(B * G));  // H_{t-1} * R^T (all gates, or z/r then h)
      std::vector<T> h(static_cast<size_t>(B * H)), rh(static_cast<size_t>(B * H));
      std::vector<T> rbh(static_cast<size_t>(H), T(0));
      const bool rev = a.reverse_only || dir == 1;
      const Activation& fa = a.acts[static_cast<size_t>(dir * 2)];
      const Activation& ga = a.acts[static_cast<size_t>(dir * 2 + 1)];
      const T* W = Wt.data<T>() + dir * G * I;
      gemm_nt(S * B, G, I, xs.data(), I, W, I, T(0), xw.data(), G);
      if (bias) {
        const T* wb = bias + dir * 2 * G;
        const T* rb = wb + G;
        std::vector<T> bsum(static_cast<size_t>(G));
        for (int64_t g = 0; g < G; ++g) bsum[g] = wb[g] + ((lbr_ && g >= 2 * H) ? T(0) : rb[g]);
        if (lbr_) std::copy_n(rb + 2 * H, H, rbh.data());
        for (int64_t row = 0; row < S * B; ++row) {
          T* p = xw.data() + row * G;
          for (int64_t g = 0; g < G; ++g) p[g] += bsum[g];
        }
      }
      for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < H; ++j) h[b * H + j] = h0 ? h0[oi.state(dir, b) + j] : T(0);
      for (int64_t s = 0; s < max_len; ++s) {
        // z and r (and h when linear_before_reset) from H_{t-1}.
        recurrent_product(use_rt, rw, Rt.data<T>(), dir, G, H, 0, lbr_ ? G : 2 * H, B, h.data(), hr.data(), G);
        for (int64_t b = 0; b < B; ++b) {
          const int64_t len = lens[static_cast<size_t>(b)];
          if (s >= len) continue;
          const int64_t t = rev ? len - 1 - s : s;
          T* g = hr.data() + b * G;
          const T* xr = xw.data() + (t * B + b) * G;
          for (int64_t q = 0; q < 2 * H; ++q) g[q] += xr[q];
          clip_values(g, 2 * H, a.clip);
          fa.apply(g, 2 * H);  // z, r
          if (!lbr_) {
            const T* r = g + H;
            const T* hb = h.data() + b * H;
            T* rhb = rh.data() + b * H;
            for (int64_t j = 0; j < H; ++j) rhb[j] = r[j] * hb[j];
          }
        }
        if (!lbr_) recurrent_product(use_rt, rw, Rt.data<T>(), dir, G, H, 2 * H, H, B, rh.data(), hr.data() + 2 * H, G);
        for (int64_t b = 0; b < B; ++b) {
          const int64_t len = lens[static_cast<size_t>(b)];
          if (s >= len) continue;
          const int64_t t = rev ? len - 1 - s : s;
          T* g = hr.data() + b * G;
          const T* xr = xw.data() + (t * B + b) * G + 2 * H;
          const T* z = g;
          const T* r = g + H;
          T* gh = g + 2 * H;
          if (lbr_) {
            for (int64_t j = 0; j < H; ++j) gh[j] = xr[j] + r[j] * (gh[j] + rbh[j]);
          } else {
            for (int64_t j = 0; j < H; ++j) gh[j] += xr[j];
          }
          clip_values(gh, H, a.clip);
          ga.apply(gh, H);
          T* hb = h.data() + b * H;
          for (int64_t j = 0; j < H; ++j) hb[j] = (T(1) - z[j]) * gh[j] + z[j] * hb[j];
          if (Y) std::copy_n(hb, H, Y + oi.y(t, dir, b));
        }
      }
      if (Yh)
        for (int64_t b = 0; b < B; ++b) std::copy_n(h.data() + b * H, H, Yh + oi.state(dir, b));
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
  bool lbr_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "GRU", 1, kMaxOpset, make_kernel<GruKernel>);

}  // namespace parallax
