// LayerNormalization (opset 17): normalises over dims [axis, rank) and
// applies Scale (and optional B), both broadcast to those dims. Optional
// outputs Mean and InvStdDev have shape X.shape[:axis] + [1] * (rank - axis).
// Statistics are computed in double (stash_type 1 asks for float or better).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

// Expands `t` (broadcastable to `inner`) into a dense buffer of numel(inner).
template <typename T>
Result<std::vector<T>> expand_to(const Tensor& t, const Shape& inner) {
  size_t r = inner.size();
  if (t.rank() > r) return error(StatusCode::kInvalidArgument, "Scale/B rank ", t.rank(), " exceeds the normalised rank ", r);
  Shape ts(r - t.rank(), 1);
  ts.insert(ts.end(), t.shape().begin(), t.shape().end());
  for (size_t i = 0; i < r; ++i)
    if (ts[i] != 1 && ts[i] != inner[i])
      return error(StatusCode::kInvalidArgument, "Scale/B shape ", shape_to_string(t.shape()),
                   " does not broadcast to ", shape_to_string(inner));
  int64_t n = shape_numel(inner);
  std::vector<T> out(static_cast<size_t>(n));
  std::vector<int64_t> st = strides_of(ts), idx(r, 0);
  const T* p = t.data<T>();
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < r; ++d)
      if (ts[d] != 1) off += idx[d] * st[d];
    out[static_cast<size_t>(i)] = p[off];
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < inner[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// A row's sum of f(p[i]) in double, kept in kLanes interleaved partial sums:
// one running sum is a chain of dependent adds that does not vectorise
// (whisper_tiny_encoder's [1500, 384] LayerNorms took 0.67 ms each at 2
// threads, ORT's 0.27). The order is fixed per row, so the bits do not
// depend on the thread count.
template <typename T, typename F>
double row_sum(const T* p, int64_t n, F f) {
  constexpr int kLanes = 8;
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += f(static_cast<double>(p[i + k]));
  double s = 0;
  for (; i < n; ++i) s += f(static_cast<double>(p[i]));
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  return s;
}

class LayerNormKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<LayerNormKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", -1));
    PX_ASSIGN_OR_RETURN(k->eps_, ctx.attrs().get_float("epsilon", 1e-5f));
    if (ctx.num_inputs() < 2) return error(StatusCode::kInvalidArgument, "LayerNormalization needs X and Scale");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, static_cast<int64_t>(x.size())));
    ctx.set_output(0, ctx.input_dtype(0), x);
    Shape stat(x.begin(), x.begin() + axis);
    stat.resize(x.size(), 1);
    if (ctx.has_output(1)) ctx.set_output(1, DataType::kFloat32, stat);
    if (ctx.has_output(2)) ctx.set_output(2, DataType::kFloat32, stat);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, static_cast<int64_t>(x.rank())));
    Shape inner(x.shape().begin() + axis, x.shape().end());
    int64_t D = shape_numel(inner);
    int64_t rows = D == 0 ? 0 : x.numel() / D;
    if (x.numel() == 0) {
      // Nothing to normalise, however large the normalised dims: X [0, 2^40]
      // would still expand Scale to 2^40 values (a per-op fuzzer timeout).
      // Rows of no elements have mean and 1/stddev 0/0 = NaN.
      for (int k : {1, 2}) {
        if (!ctx.has_output(k)) continue;
        Tensor& t = ctx.output(k);
        std::fill_n(t.data<float>(), t.numel(), std::numeric_limits<float>::quiet_NaN());
      }
      return Status::ok();
    }
    auto run = [&]<typename T>() -> Status {
      if (ctx.input(1).dtype() != x.dtype() || (ctx.has_input(2) && ctx.input(2).dtype() != x.dtype()))
        return error(StatusCode::kInvalidArgument, "Scale and B must have the input's element type");
      PX_ASSIGN_OR_RETURN(std::vector<T> scale, expand_to<T>(ctx.input(1), inner));
      std::vector<T> bias;
      if (ctx.has_input(2)) {
        PX_ASSIGN_OR_RETURN(bias, expand_to<T>(ctx.input(2), inner));
      }
      const T* xp = x.data<T>();
      T* yp = ctx.output(0).data<T>();
      float* mean_out = ctx.has_output(1) ? ctx.output(1).data<float>() : nullptr;
      float* inv_out = ctx.has_output(2) ? ctx.output(2).data<float>() : nullptr;
      double eps = eps_;
      parallel_for(ctx.num_threads(), rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(D, 1)), [&](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r) {
          const T* p = xp + r * D;
          T* q = yp + r * D;
          const double m = row_sum(p, D, [](double v) { return v; }) / static_cast<double>(D);
          const double s2 = row_sum(p, D, [m](double v) { return (v - m) * (v - m); });
          double inv = 1.0 / std::sqrt(s2 / static_cast<double>(D) + eps);
          T tm = static_cast<T>(m), ti = static_cast<T>(inv);
          if (bias.empty())
            for (int64_t i = 0; i < D; ++i) q[i] = (p[i] - tm) * ti * scale[i];
          else
            for (int64_t i = 0; i < D; ++i) q[i] = (p[i] - tm) * ti * scale[i] + bias[i];
          if (mean_out) mean_out[r] = static_cast<float>(m);
          if (inv_out) inv_out[r] = static_cast<float>(inv);
        }
      });
      return Status::ok();
    };
    return visit_float(x.dtype(), run);
  }

 private:
  int64_t axis_ = -1;
  float eps_ = 1e-5f;
};

}  // namespace

PX_REGISTER_KERNEL("", "LayerNormalization", 17, kMaxOpset, make_kernel<LayerNormKernel>);

}  // namespace parallax
