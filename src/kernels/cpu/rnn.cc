// RNN (simple recurrent cell, H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb)):
// forward / reverse / bidirectional, optional bias, sequence_lens and
// initial_h, custom activation, clip and (opset 14) layout.
#include <algorithm>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/rnn_util.h"

namespace parallax {
namespace {

using namespace rnn_detail;

class RnnKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<RnnKernel>();
    PX_ASSIGN_OR_RETURN(k->a_, parse_rnn_attrs(ctx, "RNN", {"Tanh"}));
    k->prepack(ctx, 1);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return infer_recurrent_outputs(ctx, a_, "RNN", 1, 1); }

  Status compute(ComputeContext& ctx) override {
    DataType dt = ctx.input(0).dtype();
    if (dt == DataType::kFloat32) return run<float>(ctx);
    if (dt == DataType::kFloat64) return run<double>(ctx);
    return error(StatusCode::kUnsupported, "RNN: element type ", data_type_name(dt), " is not supported");
  }

 private:
  template <typename T>
  Status run(ComputeContext& ctx) {
    const Tensor& X = ctx.input(0);
    const Tensor& Wt = ctx.input(1);
    const Tensor& Rt = ctx.input(2);
    RnnAttrs a = a_;
    if (a.hidden == 0) a.hidden = Rt.dim(2);
    PX_ASSIGN_OR_RETURN(RnnDims d, check_rnn_shapes("RNN", a, 1, X.shape(), Wt.shape(), Rt.shape()));
    const int64_t H = a.hidden, B = d.batch, S = d.seq, I = d.input;
    PX_ASSIGN_OR_RETURN(auto lens, read_seq_lens("RNN", ctx, 4, B, S));
    const OutIndex oi{a.layout, S, a.dirs, B, H};
    const T* bias = nullptr;
    if (ctx.has_input(3) && ctx.input(3).numel() > 0) {
      if (ctx.input(3).numel() != a.dirs * 2 * H)
        return error(StatusCode::kInvalidArgument, "RNN: B must have ", a.dirs * 2 * H, " elements");
      bias = ctx.input(3).template data<T>();
    }
    const T* h0 = nullptr;
    if (ctx.has_input(5) && ctx.input(5).numel() > 0) {
      if (ctx.input(5).numel() != a.dirs * B * H)
        return error(StatusCode::kInvalidArgument, "RNN: initial_h must have ", a.dirs * B * H, " elements");
      h0 = ctx.input(5).template data<T>();
    }
    T* Y = ctx.has_output(0) ? ctx.output(0).template data<T>() : nullptr;
    T* Yh = ctx.has_output(1) ? ctx.output(1).template data<T>() : nullptr;
    if (Y) std::fill_n(Y, ctx.output(0).numel(), T(0));

    std::vector<T> xs = seq_major_x<T>(X, a.layout, d);
    const int64_t max_len = B > 0 ? *std::max_element(lens.begin(), lens.end()) : 0;
    RecurrentWeights<T>& rw = weights<T>();
    const bool use_rt = rw.prepare(Rt.data<T>(), a.dirs, H, H, B, max_len);

    for_each_direction(ctx.num_threads(), a.dirs, [&](int64_t dir) {
      std::vector<T> xw(static_cast<size_t>(S * B * H));
      std::vector<T> hr(static_cast<size_t>(B * H)), h(static_cast<size_t>(B * H));
      const bool rev = a.reverse_only || dir == 1;
      const Activation& fa = a.acts[static_cast<size_t>(dir)];
      const T* W = Wt.data<T>() + dir * H * I;
      gemm_nt(S * B, H, I, xs.data(), I, W, I, T(0), xw.data(), H);
      if (bias) {
        const T* wb = bias + dir * 2 * H;
        const T* rb = wb + H;
        for (int64_t row = 0; row < S * B; ++row) {
          T* p = xw.data() + row * H;
          for (int64_t g = 0; g < H; ++g) p[g] += wb[g] + rb[g];
        }
      }
      for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < H; ++j) h[b * H + j] = h0 ? h0[oi.state(dir, b) + j] : T(0);
      for (int64_t s = 0; s < max_len; ++s) {
        recurrent_product(use_rt, rw, Rt.data<T>(), dir, H, H, 0, H, B, h.data(), hr.data(), H);
        for (int64_t b = 0; b < B; ++b) {
          const int64_t len = lens[static_cast<size_t>(b)];
          if (s >= len) continue;
          const int64_t t = rev ? len - 1 - s : s;
          T* g = hr.data() + b * H;
          const T* xr = xw.data() + (t * B + b) * H;
          for (int64_t q = 0; q < H; ++q) g[q] += xr[q];
          clip_values(g, H, a.clip);
          fa.apply(g, H);
          std::copy_n(g, H, h.data() + b * H);
          if (Y) std::copy_n(g, H, Y + oi.y(t, dir, b));
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
};

}  // namespace

PX_REGISTER_KERNEL("", "RNN", 1, kMaxOpset, make_kernel<RnnKernel>);

}  // namespace parallax
