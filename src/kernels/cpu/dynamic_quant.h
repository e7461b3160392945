// DynamicQuantizeLinear's arithmetic, shared by that op and the fused
// dynamic int8 MatMul (which must quantize its activation bit for bit the
// same way, so that fusing changes no result):
//
//   scale = (max(x, 0) - min(x, 0)) / 255
//   zp    = clamp(round(-min / scale), 0, 255)
//   q     = clamp(round(x / scale) + zp, 0, 255)     (round half to even)
//
// The loops run on full-width vectors (simd_f32.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/cpu/simd_f32.h"
#include "kernels/kernel_util.h"

namespace parallax::quant_detail {

struct DynamicQuantParams {
  float scale = 0.0f;
  uint8_t zero_point = 0;
};

// Range of x[0, n) widened to hold 0; NaNs are skipped (false in both
// comparisons).
inline void min_max_with_zero(const float* x, int64_t n, float& lo, float& hi) {
  constexpr int64_t kW = simd::kF32Lanes;
  simd::F32 l{}, h{};
  int64_t i = 0;
  for (; i + kW <= n; i += kW) {
    const simd::F32 v = simd::load(x + i);
    l = v < l ? v : l;
    h = v > h ? v : h;
  }
  lo = 0.0f;
  hi = 0.0f;
  for (int j = 0; j < kW; ++j) {
    lo = std::min(lo, l[j]);
    hi = std::max(hi, h[j]);
  }
  for (; i < n; ++i) {
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
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
    // Full vectors first: written per element, the uint8 narrowing kept GCC
    // from vectorising and this loop cost 40 ms of whisper_tiny_encoder's
    // int8 run (12 activations, 1 thread).
    constexpr int64_t kW = simd::kF32Lanes;
    int64_t i = i0;
    for (; i + kW <= i1; i += kW) {
      simd::F32 v = simd::load(x + i) / scale;
      v = v > -512.0f ? v : simd::splat(-512.0f);
      v = v < 512.0f ? v : simd::splat(512.0f);
      simd::F32 r = ((v + kRound) - kRound) + zp;
      r = r > 0.0f ? r : simd::F32{};
      r = r < 255.0f ? r : simd::splat(255.0f);
      simd::store_u8(q + i, __builtin_convertvector(r, simd::I32));
    }
    for (; i < i1; ++i) {
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
