// Fast path of Resize / Upsample for float32 linear and cubic interpolation
// when at most two dims are resized and no output cell is extrapolated.
//
// The tensor is viewed as [outer, H, mid, W, inner]: H and W are the resized
// dims (with one resized dim, it is W and H is a virtual dim of size 1), the
// others are unchanged. Each input row (outer, h) is interpolated along W
// into a per-thread row cache, and each output row (outer, yh) is the
// weighted sum of the cached rows of its taps along H; consecutive output
// rows that share input rows reuse the cache. Weights and sums are float, as
// in ONNX Runtime. Every output row is computed by one thread with the same
// arithmetic, so results do not depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels/kernel_util.h"

namespace parallax::resize {
namespace separable_detail {

// Taps along W: per output column exactly K (padded with zero weights),
// stored tap-major ([K, wout], so the inner == 1 loop vectorises as a
// gather), offsets in elements of a [W, inner] slice (index * inner).
struct ColumnTaps {
  std::vector<int32_t> offset;
  std::vector<float> weight;
};

// Taps along H: per output row 1..4 distinct input rows (duplicates from
// clamping merged), weights summed in double then rounded to float.
struct RowTaps {
  std::vector<int64_t> begin;  // size out + 1
  std::vector<int64_t> index;
  std::vector<float> weight;
};

// dst[j, c] = sum_k w[j, k] * src[offset[j, k] + c] for one [W, inner] slice.
template <int K>
void interpolate_columns(const float* src, float* dst, const ColumnTaps& t, int64_t wout, int64_t inner) {
  const int32_t* off = t.offset.data();
  const float* w = t.weight.data();
  if (inner == 1) {
    for (int64_t j = 0; j < wout; ++j) {
      float acc = w[j] * src[off[j]];
      for (int k = 1; k < K; ++k) acc += w[k * wout + j] * src[off[k * wout + j]];
      dst[j] = acc;
    }
    return;
  }
  for (int64_t j = 0; j < wout; ++j) {
    const float* s[K];
    float wk[K];
    for (int k = 0; k < K; ++k) {
      s[k] = src + off[k * wout + j];
      wk[k] = w[k * wout + j];
    }
    float* d = dst + j * inner;
    for (int64_t c = 0; c < inner; ++c) {
      float acc = wk[0] * s[0][c];
      for (int k = 1; k < K; ++k) acc += wk[k] * s[k][c];
      d[c] = acc;
    }
  }
}

// y[c] = sum_k w[k] * rows[k][c], n in 1..4.
inline void blend_rows(const float* const* rows, const float* w, int64_t n, float* y, int64_t len) {
  switch (n) {
    case 1: {
      const float* r0 = rows[0];
      const float w0 = w[0];
      for (int64_t c = 0; c < len; ++c) y[c] = w0 * r0[c];
      break;
    }
    case 2: {
      const float *r0 = rows[0], *r1 = rows[1];
      const float w0 = w[0], w1 = w[1];
      for (int64_t c = 0; c < len; ++c) y[c] = w0 * r0[c] + w1 * r1[c];
      break;
    }
    case 3: {
      const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
      const float w0 = w[0], w1 = w[1], w2 = w[2];
      for (int64_t c = 0; c < len; ++c) y[c] = w0 * r0[c] + w1 * r1[c] + w2 * r2[c];
      break;
    }
    default: {
      const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3];
      const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
      for (int64_t c = 0; c < len; ++c) y[c] = w0 * r0[c] + w1 * r1[c] + w2 * r2[c] + w3 * r3[c];
      break;
    }
  }
}

// True when a dim maps every output index to the same input index with weight 1.
template <typename DimTaps>
bool is_identity(const DimTaps& t, int64_t in, int64_t out) {
  if (in != out || t.taps.size() != static_cast<size_t>(out)) return false;
  for (int64_t i = 0; i < out; ++i) {
    const auto& tap = t.taps[static_cast<size_t>(i)];
    if (t.begin[static_cast<size_t>(i)] != i || tap.index != i || tap.weight != 1.0) return false;
  }
  return true;
}

}  // namespace separable_detail

// Runs the fast path and returns true, or returns false (nothing written)
// when it does not apply: more than two resized dims, an extrapolated cell,
// more than `max_taps` taps (2 linear, 4 cubic) per output index, or a
// [W, inner] slice of 2^31 elements or more.
// `taps` is the per-dim DimTaps table of resize.h.
template <typename DimTaps>
bool separable_interpolate(const float* x, const Shape& xs, float* y, const Shape& ys, const std::vector<DimTaps>& taps,
                           int max_taps, int threads) {
  using namespace separable_detail;
  const size_t r = xs.size();
  if (r == 0 || (max_taps != 2 && max_taps != 4)) return false;
  std::vector<size_t> resized;
  for (size_t d = 0; d < r; ++d) {
    for (char out : taps[d].outside)
      if (out) return false;
    if (!is_identity(taps[d], xs[d], ys[d])) resized.push_back(d);
    if (resized.size() > 2) return false;
    for (int64_t i = 0; i < ys[d]; ++i)
      if (taps[d].begin[static_cast<size_t>(i) + 1] - taps[d].begin[static_cast<size_t>(i)] > max_taps) return false;
  }
  if (resized.empty()) {
    std::memcpy(y, x, static_cast<size_t>(shape_numel(xs)) * sizeof(float));
    return true;
  }
  const bool two = resized.size() == 2;
  const size_t dw = resized.back(), dh = resized.front();
  auto prod = [&](size_t b, size_t e) {
    int64_t p = 1;
    for (size_t d = b; d < e; ++d) p *= xs[d];
    return p;
  };
  const int64_t outer = prod(0, dh), mid = two ? prod(dh + 1, dw) : 1, inner = prod(dw + 1, r);
  const int64_t hin = two ? xs[dh] : 1, hout = two ? ys[dh] : 1, win = xs[dw], wout = ys[dw];
  if (win * inner > INT32_MAX) return false;  // column offsets are int32

  // Column taps, padded to max_taps with zero weights on the first tap's index.
  ColumnTaps cols;
  cols.offset.resize(static_cast<size_t>(wout * max_taps));
  cols.weight.resize(static_cast<size_t>(wout * max_taps));
  for (int64_t j = 0; j < wout; ++j) {
    const auto& t = taps[dw];
    const int64_t b = t.begin[static_cast<size_t>(j)], e = t.begin[static_cast<size_t>(j) + 1];
    for (int64_t k = 0; k < max_taps; ++k) {
      const size_t slot = static_cast<size_t>(k * wout + j);
      const bool real = k < e - b;
      cols.offset[slot] =
          e > b ? static_cast<int32_t>(t.taps[static_cast<size_t>(b + (real ? k : 0))].index * inner) : 0;
      cols.weight[slot] = real ? static_cast<float>(t.taps[static_cast<size_t>(b + k)].weight) : 0.0f;
    }
  }

  // Row taps (one tap of weight 1 on the virtual H when only W is resized).
  RowTaps rows;
  rows.begin.push_back(0);
  std::vector<std::pair<int64_t, double>> merged;
  for (int64_t i = 0; i < hout; ++i) {
    merged.clear();
    if (two) {
      const auto& t = taps[dh];
      for (int64_t k = t.begin[static_cast<size_t>(i)]; k < t.begin[static_cast<size_t>(i) + 1]; ++k) {
        const auto& tap = t.taps[static_cast<size_t>(k)];
        auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.first == tap.index; });
        if (it == merged.end())
          merged.emplace_back(tap.index, tap.weight);
        else
          it->second += tap.weight;
      }
    } else {
      merged.emplace_back(0, 1.0);
    }
    if (merged.empty()) merged.emplace_back(0, 0.0);  // all weights zero (degenerate cubic)
    for (const auto& [index, weight] : merged) {
      rows.index.push_back(index);
      rows.weight.push_back(static_cast<float>(weight));
    }
    rows.begin.push_back(static_cast<int64_t>(rows.index.size()));
  }

  const int64_t in_row = mid * win * inner, out_row = mid * wout * inner;
  auto interpolate_row = [&](const float* src, float* dst) {
    for (int64_t m = 0; m < mid; ++m) {
      if (max_taps == 2)
        interpolate_columns<2>(src + m * win * inner, dst + m * wout * inner, cols, wout, inner);
      else
        interpolate_columns<4>(src + m * win * inner, dst + m * wout * inner, cols, wout, inner);
    }
  };

  const int64_t n = outer * hout;
  const int slots = max_taps;
  parallel_for(threads, n, std::max<int64_t>(1, 32768 / std::max<int64_t>(out_row, 1)), [&](int64_t b, int64_t e) {
    // Row cache: `slots` interpolated input rows, tagged outer * hin + h.
    std::vector<float> cache(static_cast<size_t>(slots * out_row));
    std::vector<int64_t> tag(static_cast<size_t>(slots), -1), last_use(static_cast<size_t>(slots), -1);
    auto find = [&](int64_t id) {
      for (int s = 0; s < slots; ++s)
        if (tag[static_cast<size_t>(s)] == id) return s;
      return -1;
    };
    for (int64_t row = b; row < e; ++row) {
      const int64_t o = row / hout, yh = row % hout;
      float* yrow = y + row * out_row;
      const int64_t tb = rows.begin[static_cast<size_t>(yh)], te = rows.begin[static_cast<size_t>(yh) + 1];
      const int64_t* idx = rows.index.data() + tb;
      const float* w = rows.weight.data() + tb;
      const int64_t nt = te - tb;
      if (nt == 1 && w[0] == 1.0f) {
        // A copy of one input row: write it straight into the output.
        const int s = find(o * hin + idx[0]);
        if (s >= 0) {
          std::memcpy(yrow, cache.data() + s * out_row, static_cast<size_t>(out_row) * sizeof(float));
          last_use[static_cast<size_t>(s)] = row;
        } else {
          interpolate_row(x + (o * hin + idx[0]) * in_row, yrow);
        }
        continue;
      }
      const float* src[4];
      for (int64_t k = 0; k < nt; ++k) {
        const int64_t id = o * hin + idx[k];
        int s = find(id);
        if (s < 0) {
          // Evict the least recently used slot this row does not need.
          for (int c = 0; c < slots; ++c) {
            const int64_t t = tag[static_cast<size_t>(c)];
            bool needed = false;
            for (int64_t q = 0; q < nt; ++q) needed |= t == o * hin + idx[q];
            if (!needed && (s < 0 || last_use[static_cast<size_t>(c)] < last_use[static_cast<size_t>(s)])) s = c;
          }
          interpolate_row(x + id * in_row, cache.data() + s * out_row);
          tag[static_cast<size_t>(s)] = id;
        }
        last_use[static_cast<size_t>(s)] = row;
        src[k] = cache.data() + s * out_row;
      }
      blend_rows(src, w, nt, yrow, out_row);
    }
  });
  return true;
}

}  // namespace parallax::resize
