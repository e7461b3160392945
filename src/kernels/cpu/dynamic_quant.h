// DynamicQuantizeLinear's arithmetic, shared by that op and the fused
// dynamic int8 MatMul (which must quantize its activation bit for bit the
// same way, so that fusing changes no result):
//
//   scale = (max(x, 0) - min(x, 0)) / 255
//   zp    = clamp(round(-min / scale), 0, 255)
//   q     = clamp(round(x / scale) + zp, 0, 255)     (round half to even)
//
// The loops are written lane-wise (16 independent minima and maxima) so that
// the compiler vectorizes them without reassociating float reductions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/kernel_util.h"

namespace parallax::quant_detail {

struct DynamicQuantParams {
  float scale = 0.0f;
  uint8_t zero_point = 0;
};

// Range of x[0, n) widened to hold 0; NaNs are skipped.
inline void min_max_with_zero(const float* x, int64_t n, float& lo, float& hi) {
  constexpr int kLanes = 16;
  float l[kLanes] = {}, h[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      l[j] = x[i + j] < l[j] ? x[i + j] : l[j];
      h[j] = x[i + j] > h[j] ? x[i + j] : h[j];
    }
  for (; i < n; ++i) {
    l[0] = x[i] < l[0] ? x[i] : l[0];
    h[0] = x[i] > h[0] ? x[i] : h[0];
  }
  lo = 0.0f;
  hi = 0.0f;
  for (int j = 0; j < kLanes; ++j) {
    lo = std::min(lo, l[j]);
    hi = std::max(hi, h[j]);
  }
}

// Below this many elements one thread quantizes: a parallel region costs
// more than the loop (and much more on a loaded machine, where a barrier
// waits for a descheduled thread).
constexpr int64_t kParallelMin = int64_t{1} << 18;

inline DynamicQuantParams dynamic_quant_params(const float* x, int64_t n, int threads) {
  // One partial range per chunk.
  const int64_t chunk = std::max<int64_t>(kParallelMin, (n + threads - 1) / std::max(threads, 1));
  const int64_t chunks = (n + chunk - 1) / chunk;
  std::vector<float> los(static_cast<size_t>(chunks)), his(static_cast<size_t>(chunks));
  parallel_for(threads, chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c)
      min_max_with_zero(x + c * chunk, std::min(chunk, n - c * chunk), los[static_cast<size_t>(c)],
                        his[static_cast<size_t>(c)]);
  });
  float lo = 0.0f, hi = 0.0f;
  for (int64_t c = 0; c < chunks; ++c) {
    lo = std::min(lo, los[static_cast<size_t>(c)]);
    hi = std::max(hi, his[static_cast<size_t>(c)]);
  }
  DynamicQuantParams p;
  p.scale = (hi - lo) / 255.0f;
  if (p.scale != 0.0f) {
    // An infinite input makes -lo / scale inf / inf = NaN, which has no
    // uint8 (the conversion is undefined): use 0.
    const float z = std::nearbyint(0.0f - lo / p.scale);
    p.zero_point = std::isnan(z) ? uint8_t{0} : static_cast<uint8_t>(std::clamp(z, 0.0f, 255.0f));
  }
  return p;
}

// q[i] = saturate(round(x[i] / scale) + zp); a zero scale gives zp everywhere.
//
// Rounding adds and subtracts 1.5 * 2^23, which rounds half to even like
// nearbyint (in the default rounding mode) for |v| < 2^22 and, unlike a
// call, vectorizes. v is clamped to [-512, 512] first: x / scale is within
// [-255, 255] by the choice of scale, and the clamp keeps an infinity in
// range and sends a NaN (false in both comparisons) to -512, i.e. q = 0, as
// ONNX Runtime's conversion does on x86.
inline void quantize_u8(const float* x, int64_t n, DynamicQuantParams p, uint8_t* q, int threads) {
  const float scale = p.scale, zp = static_cast<float>(p.zero_point);
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23
  parallel_for(n >= kParallelMin ? threads : 1, n, kParallelMin / 4, [&](int64_t i0, int64_t i1) {
    if (scale == 0.0f) {
      std::fill(q + i0, q + i1, p.zero_point);
      return;
    }
    for (int64_t i = i0; i < i1; ++i) {
      float v = x[i] / scale;
      v = v > -512.0f ? v : -512.0f;
      v = v < 512.0f ? v : 512.0f;
      float r = ((v + kRound) - kRound) + zp;
      r = r > 0.0f ? r : 0.0f;
      r = r < 255.0f ? r : 255.0f;
      q[i] = static_cast<uint8_t>(static_cast<int32_t>(r));
    }
  });
}

}  // namespace parallax::quant_detail
