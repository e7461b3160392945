// Numpy-style broadcasting for elementwise kernels (binary ops, Where,
// Expand, variadic Sum/Max/...).
//
// A BroadcastPlan maps N input shapes onto an output shape and collapses
// the loop nest: output dims of size 1 are dropped, and neighbouring dims
// in which every input is either "full" (same extent as the output) or
// "repeated" (extent 1) in the same pattern are merged. What remains is
//   outer dims (few, usually 0..2)  x  one inner run of `inner` elements
// in which each input is either contiguous (step 1) or a single repeated
// element (step 0). Same-shape ops become one flat run; a scalar operand is
// a step-0 run; per-channel bias [C,1,1] on [N,C,H,W] becomes runs of H*W
// against one scalar each.
//
// for_each_segment() walks any element range [begin, end) of the output
// run by run with incremental offsets (no per-element index division), so
// it composes with parallel_for. The inner loops live in the kernels where
// the element functor is known and can be inlined and vectorised.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/kernel_util.h"

namespace parallax {

class BroadcastPlan {
 public:
  static constexpr size_t kMaxRank = 32;  // of the collapsed outer loop nest

  // Plans reading each of `inputs` broadcast to `out`. Each input must be
  // unidirectionally broadcastable to `out` (right-aligned, dims 1 or equal).
  static Result<BroadcastPlan> make(const Shape& out, const std::vector<Shape>& inputs);

  size_t num_inputs() const { return num_inputs_; }
  int64_t numel() const { return numel_; }
  int64_t inner() const { return inner_; }
  // 1 if input k runs contiguously along the inner run, 0 if repeated.
  int64_t inner_step(size_t k) const { return inner_step_[k]; }
  size_t outer_rank() const { return outer_dims_.size(); }
  // True when every input is a plain contiguous copy of the output layout.
  bool all_contiguous() const {
    if (!outer_dims_.empty()) return false;
    for (size_t k = 0; k < num_inputs_; ++k)
      if (inner_step_[k] != 1) return false;
    return true;
  }

  // Calls fn(out_offset, in_offsets, len) for each contiguous run covering
  // output elements [begin, end); in_offsets is a std::array<int64_t, N>
  // with each input's element offset at the start of the run.
  template <size_t N, typename Fn>
  void for_each_segment(int64_t begin, int64_t end, Fn&& fn) const {
    if (begin >= end) return;
    const size_t rank = outer_dims_.size();
    int64_t row = begin / inner_, col = begin % inner_;
    std::array<int64_t, kMaxRank> idx;
    std::array<int64_t, N> base{};
    for (size_t d = rank; d-- > 0;) {
      idx[d] = row % outer_dims_[d];
      row /= outer_dims_[d];
      for (size_t k = 0; k < N; ++k) base[k] += idx[d] * outer_strides_[d * N + k];
    }
    int64_t pos = begin;
    while (pos < end) {
      int64_t len = std::min(inner_ - col, end - pos);
      std::array<int64_t, N> off;
      for (size_t k = 0; k < N; ++k) off[k] = base[k] + col * inner_step_[k];
      fn(pos, off, len);
      pos += len;
      col = 0;
      if (pos >= end) break;
      for (size_t d = rank; d-- > 0;) {
        const int64_t* s = &outer_strides_[d * N];
        if (++idx[d] < outer_dims_[d]) {
          for (size_t k = 0; k < N; ++k) base[k] += s[k];
          break;
        }
        idx[d] = 0;
        for (size_t k = 0; k < N; ++k) base[k] -= (outer_dims_[d] - 1) * s[k];
      }
    }
  }

  // Like for_each_segment, but hands over whole rows of the innermost outer
  // dim at once, for plans whose inner run is short:
  //   fn(out_offset, in_offsets, rows, len, row_strides)
  // covers `rows` runs of `len` elements; run r starts at output offset
  // out_offset + r * inner() and input offsets in_offsets[k] + r * row_strides[k].
  template <size_t N, typename Fn>
  void for_each_block(int64_t begin, int64_t end, Fn&& fn) const {
    if (begin >= end) return;
    const size_t rank = outer_dims_.size();
    std::array<int64_t, N> rs{};
    if (rank == 0) {
      std::array<int64_t, N> off;
      for (size_t k = 0; k < N; ++k) off[k] = begin * inner_step_[k];
      fn(begin, off, int64_t{1}, end - begin, rs);
      return;
    }
    const size_t last = rank - 1;
    const int64_t rows_in_dim = outer_dims_[last];
    for (size_t k = 0; k < N; ++k) rs[k] = outer_strides_[last * N + k];
    int64_t row = begin / inner_, col = begin % inner_;
    std::array<int64_t, kMaxRank> idx;
    std::array<int64_t, N> base{};
    for (size_t d = rank; d-- > 0;) {
      idx[d] = row % outer_dims_[d];
      row /= outer_dims_[d];
      for (size_t k = 0; k < N; ++k) base[k] += idx[d] * outer_strides_[d * N + k];
    }
    int64_t pos = begin;
    while (pos < end) {
      int64_t rows = 1, len = 0;
      if (col != 0 || end - pos < inner_) {
        len = std::min(inner_ - col, end - pos);
      } else {
        rows = std::min(rows_in_dim - idx[last], (end - pos) / inner_);
        len = inner_;
      }
      std::array<int64_t, N> off;
      for (size_t k = 0; k < N; ++k) off[k] = base[k] + col * inner_step_[k];
      fn(pos, off, rows, len, rs);
      pos += (rows - 1) * inner_ + len;
      col = 0;
      if (pos >= end) break;
      idx[last] += rows;
      for (size_t k = 0; k < N; ++k) base[k] += rows * rs[k];
      if (idx[last] < rows_in_dim) continue;
      idx[last] = 0;
      for (size_t k = 0; k < N; ++k) base[k] -= rows_in_dim * rs[k];
      for (size_t d = last; d-- > 0;) {
        const int64_t* st = &outer_strides_[d * N];
        if (++idx[d] < outer_dims_[d]) {
          for (size_t k = 0; k < N; ++k) base[k] += st[k];
          break;
        }
        idx[d] = 0;
        for (size_t k = 0; k < N; ++k) base[k] -= (outer_dims_[d] - 1) * st[k];
      }
    }
  }

  // Inner runs shorter than this are walked in row blocks.
  static constexpr int64_t kShortRun = 64;
  bool short_runs() const { return inner_ < kShortRun && !outer_dims_.empty(); }

 private:
  size_t num_inputs_ = 0;
  int64_t numel_ = 0;
  int64_t inner_ = 1;
  std::vector<int64_t> inner_step_;
  std::vector<int64_t> outer_dims_;     // outermost first
  std::vector<int64_t> outer_strides_;  // [dim * num_inputs + input], 0 = repeated
};

// Output shape of numpy multidirectional broadcasting over all `shapes`.
Result<Shape> broadcast_all(const std::vector<Shape>& shapes);

// Grain (elements per parallel chunk) for elementwise loops; `cost` is a
// rough per-element cost relative to an add.
inline int64_t elementwise_grain(int64_t cost) { return std::max<int64_t>(1024, (int64_t{1} << 15) / std::max<int64_t>(cost, 1)); }

// Copies `in` broadcast to the plan's output (single-input plan) into `out`,
// for elements of size sizeof(T).
template <typename T>
void broadcast_copy(const BroadcastPlan& plan, const T* in, T* out, int threads) {
  parallel_for(threads, plan.numel(), elementwise_grain(1), [&](int64_t b, int64_t e) {
    if (plan.short_runs()) {
      const int64_t inner = plan.inner();
      const bool v = plan.inner_step(0) != 0;
      plan.for_each_block<1>(b, e, [&](int64_t o, const std::array<int64_t, 1>& off, int64_t rows, int64_t len,
                                       const std::array<int64_t, 1>& rs) {
        for (int64_t r = 0; r < rows; ++r) {
          const T* pi = in + off[0] + r * rs[0];
          T* po = out + o + r * inner;
          for (int64_t i = 0; i < len; ++i) po[i] = pi[v ? i : 0];
        }
      });
      return;
    }
    plan.for_each_segment<1>(b, e, [&](int64_t o, const std::array<int64_t, 1>& off, int64_t len) {
      if (plan.inner_step(0)) {
        std::memcpy(out + o, in + off[0], static_cast<size_t>(len) * sizeof(T));
      } else {
        std::fill_n(out + o, len, in[off[0]]);
      }
    });
  });
}

// Runs o = f(a, b) over a two-input plan. A, B, O are element types; the
// functor is inlined into four loops (each side contiguous or repeated).
template <typename A, typename B, typename O, typename F>
void broadcast_binary(const BroadcastPlan& plan, const A* a, const B* b, O* o, const F& f, int threads,
                      int64_t cost = 1) {
  auto run = [&](int64_t out_off, const std::array<int64_t, 2>& off, int64_t n) {
    const A* pa = a + off[0];
    const B* pb = b + off[1];
    O* po = o + out_off;
    const bool va = plan.inner_step(0) != 0, vb = plan.inner_step(1) != 0;
    const F fl = f;  // a local copy keeps the functor's attributes in registers
    if (va && vb) {
      for (int64_t i = 0; i < n; ++i) po[i] = fl(pa[i], pb[i]);
    } else if (va) {
      const B sb = *pb;
      for (int64_t i = 0; i < n; ++i) po[i] = fl(pa[i], sb);
    } else if (vb) {
      const A sa = *pa;
      for (int64_t i = 0; i < n; ++i) po[i] = fl(sa, pb[i]);
    } else {
      const O v = fl(*pa, *pb);
      for (int64_t i = 0; i < n; ++i) po[i] = v;
    }
  };
  if (plan.short_runs()) {
    // Short inner runs (e.g. [N,H,W,3] + [3], [R,3] + [R,1]): whole blocks of
    // rows per call, the contiguous/repeated choice hoisted out of the rows.
    const int64_t inner = plan.inner();
    auto block = [&]<bool VA, bool VB>(int64_t oo, const std::array<int64_t, 2>& off, int64_t rows, int64_t n,
                                       const std::array<int64_t, 2>& rs) {
      const F fl = f;
      for (int64_t r = 0; r < rows; ++r) {
        const A* pa = a + off[0] + r * rs[0];
        const B* pb = b + off[1] + r * rs[1];
        O* po = o + oo + r * inner;
        for (int64_t i = 0; i < n; ++i) po[i] = fl(pa[VA ? i : 0], pb[VB ? i : 0]);
      }
    };
    const int code = (plan.inner_step(0) ? 2 : 0) | (plan.inner_step(1) ? 1 : 0);
    parallel_for(threads, plan.numel(), elementwise_grain(cost), [&](int64_t bgn, int64_t end) {
      plan.for_each_block<2>(bgn, end, [&](int64_t oo, const std::array<int64_t, 2>& off, int64_t rows, int64_t n,
                                           const std::array<int64_t, 2>& rs) {
        switch (code) {
          case 3: block.template operator()<true, true>(oo, off, rows, n, rs); break;
          case 2: block.template operator()<true, false>(oo, off, rows, n, rs); break;
          case 1: block.template operator()<false, true>(oo, off, rows, n, rs); break;
          default: block.template operator()<false, false>(oo, off, rows, n, rs); break;
        }
      });
    });
    return;
  }
  parallel_for(threads, plan.numel(), elementwise_grain(cost),
               [&](int64_t bgn, int64_t end) { plan.for_each_segment<2>(bgn, end, run); });
}

}  // namespace parallax
