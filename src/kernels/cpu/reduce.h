// Shared implementation of the Reduce* family (ReduceSum, ReduceMean, ...).
//
// Each op is a small policy struct:
//   using Acc = ...;                      accumulator type for element type T
//   static Acc init();                    identity of the reduction
//   static Acc step(Acc a, T x);          fold one element in
//   static Acc combine(Acc a, Acc b);     merge two partial accumulators
//   static T finish(Acc a, int64_t n);    final value from the accumulator and count
//
// The reduced and kept dimensions are coalesced into runs; the input is
// walked once in memory order, the innermost run being either a contiguous
// reduction (into one accumulator) or an element-wise fold into a row of
// accumulators. Work is split across threads over the outermost kept run.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace reduce_detail {

// Accumulators have the element type (ONNX keeps the input type, integer
// wrap-around included) except where a float intermediate is needed (L2, LogSum).
// Integer sums and products wrap through wrap_add / wrap_mul: a plain signed
// overflow would be undefined behaviour, and the values come from the model.
struct SumOp {
  template <typename T> using Acc = T;
  template <typename T> static Acc<T> init() { return T(0); }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return wrap_add(a, x); }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return wrap_add(a, b); }
  template <typename T> static T finish(Acc<T> a, int64_t) { return a; }
};

struct MeanOp {
  template <typename T> using Acc = T;
  template <typename T> static Acc<T> init() { return T(0); }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return wrap_add(a, x); }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return wrap_add(a, b); }
  template <typename T> static T finish(Acc<T> a, int64_t n) {
    if constexpr (std::is_floating_point_v<T>) {
      return a / static_cast<T>(n);
    } else if constexpr (std::is_signed_v<T>) {
      // The count in 64 bits: as T, 256 elements of int8 would divide by 0.
      return n == 0 ? T(0) : static_cast<T>(static_cast<int64_t>(a) / n);
    } else {
      return n == 0 ? T(0) : static_cast<T>(static_cast<uint64_t>(a) / static_cast<uint64_t>(n));
    }
  }
};

struct MaxOp {
  template <typename T> using Acc = T;
  template <typename T> static Acc<T> init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return x > a ? x : a; }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return b > a ? b : a; }
  template <typename T> static T finish(Acc<T> a, int64_t) { return a; }
};

struct MinOp {
  template <typename T> using Acc = T;
  template <typename T> static Acc<T> init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return x < a ? x : a; }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return b < a ? b : a; }
  template <typename T> static T finish(Acc<T> a, int64_t) { return a; }
};

struct ProdOp {
  template <typename T> using Acc = T;
  template <typename T> static Acc<T> init() { return T(1); }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return wrap_mul(a, x); }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return wrap_mul(a, b); }
  template <typename T> static T finish(Acc<T> a, int64_t) { return a; }
};

struct L1Op {
  template <typename T> using Acc = T;
  template <typename T> static Acc<T> init() { return T(0); }
  template <typename T> static Acc<T> step(Acc<T> a, T x) {
    if constexpr (std::is_unsigned_v<T>) return wrap_add(a, x);
    else return wrap_add(a, x < T(0) ? wrap_neg(x) : x);
  }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return wrap_add(a, b); }
  template <typename T> static T finish(Acc<T> a, int64_t) { return a; }
};

struct SumSquareOp {
  template <typename T> using Acc = T;
  template <typename T> static Acc<T> init() { return T(0); }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return wrap_add(a, wrap_mul(x, x)); }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return wrap_add(a, b); }
  template <typename T> static T finish(Acc<T> a, int64_t) { return a; }
};

// A float intermediate as the integer type T: the log of a zero sum is -inf
// and of a negative one NaN, and converting those is undefined, so NaN gives
// 0 and values beyond T's range its limits.
template <typename T, typename A>
T saturate_to(A v) {
  if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T(0);
    if (v <= static_cast<A>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= static_cast<A>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  }
  return static_cast<T>(v);
}

struct L2Op {
  template <typename T> using Acc = std::conditional_t<std::is_floating_point_v<T>, T, double>;
  template <typename T> static Acc<T> init() { return Acc<T>(0); }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return a + static_cast<Acc<T>>(x) * static_cast<Acc<T>>(x); }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return a + b; }
  template <typename T> static T finish(Acc<T> a, int64_t) { return saturate_to<T>(std::sqrt(a)); }
};

struct LogSumOp {
  template <typename T> using Acc = std::conditional_t<std::is_floating_point_v<T>, T, double>;
  template <typename T> static Acc<T> init() { return Acc<T>(0); }
  template <typename T> static Acc<T> step(Acc<T> a, T x) { return a + static_cast<Acc<T>>(x); }
  template <typename T> static Acc<T> combine(Acc<T> a, Acc<T> b) { return a + b; }
  template <typename T> static T finish(Acc<T> a, int64_t) { return saturate_to<T>(std::log(a)); }
};

// Coalesced description of the reduction: runs of dims, each reduced or kept.
struct ReducePlan {
  std::vector<int64_t> sizes;   // run sizes, outermost first
  std::vector<bool> reduced;    // per run
  std::vector<int64_t> in_strides;   // element strides of each run in the input
  std::vector<int64_t> out_strides;  // element strides in the output (0 for reduced runs)
  int64_t out_numel = 1;
  int64_t reduce_count = 1;  // elements folded into each output
};

inline ReducePlan make_plan(const Shape& in_shape, const std::vector<bool>& is_reduced) {
  ReducePlan p;
  for (size_t i = 0; i < in_shape.size(); ++i) {
    int64_t d = in_shape[i];
    if (is_reduced[i]) p.reduce_count *= d; else p.out_numel *= d;
    if (d == 1) continue;  // size-1 dims change nothing
    if (!p.sizes.empty() && p.reduced.back() == is_reduced[i]) {
      p.sizes.back() *= d;
    } else {
      p.sizes.push_back(d);
      p.reduced.push_back(is_reduced[i]);
    }
  }
  if (p.sizes.empty()) {
    p.sizes.push_back(1);
    p.reduced.push_back(false);
  }
  size_t r = p.sizes.size();
  p.in_strides.assign(r, 1);
  p.out_strides.assign(r, 0);
  int64_t si = 1, so = 1;
  for (size_t i = r; i-- > 0;) {
    p.in_strides[i] = si;
    si *= p.sizes[i];
    if (!p.reduced[i]) {
      p.out_strides[i] = so;
      so *= p.sizes[i];
    }
  }
  return p;
}

// Folds a contiguous run of n elements into one accumulator with kLanes
// independent partial accumulators, so the loop vectorises and pipelines.
template <typename Op, typename T, int kLanes>
inline typename Op::template Acc<T> fold_lanes(typename Op::template Acc<T> acc, const T* x, int64_t n) {
  using A = typename Op::template Acc<T>;
  int64_t i = 0;
  if (n >= 2 * kLanes) {
    A part[kLanes];
    for (int l = 0; l < kLanes; ++l) part[l] = Op::template init<T>();
    for (; i + kLanes <= n; i += kLanes)
      for (int l = 0; l < kLanes; ++l) part[l] = Op::template step<T>(part[l], x[i + l]);
    for (int l = 0; l < kLanes; ++l) acc = Op::template combine<T>(acc, part[l]);
  }
  for (; i < n; ++i) acc = Op::template step<T>(acc, x[i]);
  return acc;
}

// Long runs use more lanes (hides the add latency); short ones fewer (less set-up).
template <typename Op, typename T>
inline typename Op::template Acc<T> fold_contiguous(typename Op::template Acc<T> acc, const T* x, int64_t n) {
  if (n >= 512) return fold_lanes<Op, T, 32>(acc, x, n);
  return fold_lanes<Op, T, 8>(acc, x, n);
}

// Walks input run indices [begin, end) of run 0, folding into acc (output-sized).
template <typename Op, typename T>
void reduce_block(const ReducePlan& p, const T* in, typename Op::template Acc<T>* acc, int64_t begin, int64_t end) {
  const size_t r = p.sizes.size();
  const int64_t inner = p.sizes[r - 1];
  const bool inner_reduced = p.reduced[r - 1];
  if (r == 1) {
    if (inner_reduced) {
      acc[0] = fold_contiguous<Op, T>(acc[0], in + begin, end - begin);
    } else {
      for (int64_t i = begin; i < end; ++i) acc[i] = Op::template step<T>(acc[i], in[i]);
    }
    return;
  }
  // Odometer over runs 0..r-2, run 0 limited to [begin, end).
  std::vector<int64_t> idx(r - 1, 0);
  idx[0] = begin;
  int64_t in_off = begin * p.in_strides[0];
  int64_t out_off = begin * p.out_strides[0];
  while (idx[0] < end) {
    const T* x = in + in_off;
    if (inner_reduced) {
      acc[out_off] = fold_contiguous<Op, T>(acc[out_off], x, inner);
    } else {
      auto* a = acc + out_off;
      for (int64_t i = 0; i < inner; ++i) a[i] = Op::template step<T>(a[i], x[i]);
    }
    // advance
    size_t d = r - 2;
    while (true) {
      ++idx[d];
      in_off += p.in_strides[d];
      out_off += p.out_strides[d];
      if (d == 0 || idx[d] < p.sizes[d]) break;
      in_off -= idx[d] * p.in_strides[d];
      out_off -= idx[d] * p.out_strides[d];
      idx[d] = 0;
      --d;
    }
  }
}

template <typename Op, typename T>
void run_reduce(const ReducePlan& p, const T* in, T* out, int threads) {
  using A = typename Op::template Acc<T>;
  std::vector<A> acc_storage;
  A* acc;
  if constexpr (std::is_same_v<A, T>) {
    acc = out;
  } else {
    acc_storage.resize(static_cast<size_t>(p.out_numel));
    acc = acc_storage.data();
  }
  for (int64_t i = 0; i < p.out_numel; ++i) acc[i] = Op::template init<T>();
  int64_t total = p.out_numel * p.reduce_count;
  if (total > 0) {
    if (!p.reduced[0] && p.sizes[0] > 1 && total >= (1 << 15)) {
      int64_t per_row = total / p.sizes[0];
      int64_t grain = std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(per_row, 1));
      parallel_for(threads, p.sizes[0], grain,
                   [&](int64_t b, int64_t e) { reduce_block<Op, T>(p, in, acc, b, e); });
    } else {
      reduce_block<Op, T>(p, in, acc, 0, p.sizes[0]);
    }
  }
  for (int64_t i = 0; i < p.out_numel; ++i) out[i] = Op::template finish<T>(acc[i], p.reduce_count);
}

// ReduceLogSumExp: max pass, then sum of exp(x - max), then max + log(sum).
template <typename T>
void run_log_sum_exp(const ReducePlan& p, const T* in, T* out, int threads) {
  using A = std::conditional_t<std::is_floating_point_v<T>, T, double>;
  std::vector<T> mx(static_cast<size_t>(p.out_numel));
  run_reduce<MaxOp, T>(p, in, mx.data(), threads);
  std::vector<A> sum(static_cast<size_t>(p.out_numel), A(0));
  const size_t r = p.sizes.size();
  int64_t total = p.out_numel * p.reduce_count;
  if (total > 0) {
    std::vector<int64_t> idx(r, 0);
    int64_t out_off = 0;
    for (int64_t i = 0; i < total; ++i) {
      A m = static_cast<A>(mx[out_off]);
      if (std::isinf(m)) m = A(0);
      sum[out_off] += std::exp(static_cast<A>(in[i]) - m);
      size_t d = r - 1;
      while (true) {
        ++idx[d];
        out_off += p.out_strides[d];
        if (idx[d] < p.sizes[d] || d == 0) break;
        out_off -= idx[d] * p.out_strides[d];
        idx[d] = 0;
        --d;
      }
    }
  }
  for (int64_t i = 0; i < p.out_numel; ++i) {
    A m = static_cast<A>(mx[i]);
    if (std::isinf(m)) m = A(0);
    out[i] = saturate_to<T>(m + std::log(sum[i]));
  }
}

enum class Kind { kPolicy, kLogSumExp };

// The kernel. `kAxesInputSince` is the opset from which axes come as input 1 (ReduceSum: 13).
template <typename Op, Kind kKind = Kind::kPolicy, int kAxesInputSince = 1000>
class ReduceKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ReduceKernel>();
    PX_ASSIGN_OR_RETURN(int64_t keep, ctx.attrs().get_int("keepdims", 1));
    PX_ASSIGN_OR_RETURN(int64_t noop, ctx.attrs().get_int("noop_with_empty_axes", 0));
    k->keepdims_ = keep != 0;
    k->noop_ = noop != 0;
    k->axes_from_input_ = ctx.opset() >= kAxesInputSince;
    if (!k->axes_from_input_) {
      PX_ASSIGN_OR_RETURN(k->axes_, ctx.attrs().get_ints("axes", std::vector<int64_t>{}));
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    std::vector<int64_t> axes;
    PX_ASSIGN_OR_RETURN(bool ok, get_axes(ctx, axes));
    if (!ok) return ctx.defer();
    const Shape& in = ctx.input_shape(0);
    std::vector<bool> red;
    PX_ASSIGN_OR_RETURN(bool identity, reduced_dims(axes, in.size(), red));
    DataType dt = ctx.input_dtype(0);
    if (identity) {
      ctx.set_output(0, dt, in);
      return Status::ok();
    }
    Shape out;
    for (size_t i = 0; i < in.size(); ++i) {
      if (!red[i]) out.push_back(in[i]);
      else if (keepdims_) out.push_back(1);
    }
    ctx.set_output(0, dt, out);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    std::vector<int64_t> axes = axes_;
    if (axes_from_input_ && ctx.has_input(1)) {
      PX_ASSIGN_OR_RETURN(axes, read_int_list(ctx.input(1)));
    }
    std::vector<bool> red;
    PX_ASSIGN_OR_RETURN(bool identity, reduced_dims(axes, x.rank(), red));
    if (identity) {
      return visit_by_size(x.dtype(), [&]<typename T>() {
        std::copy_n(x.data<T>(), x.numel(), y.data<T>());
        return Status::ok();
      });
    }
    ReducePlan plan = make_plan(x.shape(), red);
    if (plan.out_numel != y.numel())
      return error(StatusCode::kInternal, "reduce output has ", y.numel(), " elements, expected ", plan.out_numel);
    return visit_numeric(x.dtype(), [&]<typename T>() {
      if constexpr (kKind == Kind::kLogSumExp) {
        run_log_sum_exp<T>(plan, x.data<T>(), y.data<T>(), ctx.num_threads());
      } else {
        run_reduce<Op, T>(plan, x.data<T>(), y.data<T>(), ctx.num_threads());
      }
      return Status::ok();
    });
  }

 private:
  // False when the axes input is not known yet.
  Result<bool> get_axes(InferContext& ctx, std::vector<int64_t>& axes) const {
    if (!axes_from_input_ || !ctx.has_input(1)) {
      axes = axes_;
      return true;
    }
    const Tensor* t = ctx.input_value(1);
    if (t == nullptr) return false;
    PX_ASSIGN_OR_RETURN(axes, read_int_list(*t));
    return true;
  }

  // Fills red (per dim); returns true when the op is the identity (empty axes + noop).
  Result<bool> reduced_dims(const std::vector<int64_t>& axes, size_t rank, std::vector<bool>& red) const {
    red.assign(rank, false);
    if (axes.empty()) {
      if (noop_) return true;
      red.assign(rank, true);
      return false;
    }
    for (int64_t a : axes) {
      if (a < -static_cast<int64_t>(rank) || a >= static_cast<int64_t>(rank))
        return error(StatusCode::kInvalidArgument, "reduce axis ", a, " is out of range for rank ", rank);
      red[static_cast<size_t>(a < 0 ? a + static_cast<int64_t>(rank) : a)] = true;
    }
    return false;
  }

  bool keepdims_ = true;
  bool noop_ = false;
  bool axes_from_input_ = false;
  std::vector<int64_t> axes_;
};

}  // namespace reduce_detail
}  // namespace parallax
