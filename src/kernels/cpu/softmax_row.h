// One float Softmax row, y = softmax(x) over n values (y may be x), for the
// Softmax kernel (softmax.h) and the fused attention (softmax_attention.cc).
//
// Three passes over the row (max; exp stored and summed; scale) in
// full-width vectors (simd_f32.h): whisper_tiny_encoder's four
// [6,1500,1500] Softmaxes took 65 ms per run with scalar-form loops that GCC
// vectorised into masked 8-lane code with a fourth pass for the sum, three
// times ONNX Runtime's. The lanes are fixed per build, so a row's result does
// not depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/simd_f32.h"

namespace parallax::softmax {

inline void softmax_row_f32(const float* x, float* y, int64_t n) {
  constexpr int64_t kW = simd::kF32Lanes;
  int64_t i = 0;
  float m = x[0];
  if (n >= kW) {
    simd::F32 mv = simd::load(x);
    for (i = kW; i + kW <= n; i += kW) mv = simd::max(mv, simd::load(x + i));
    m = std::max(m, simd::reduce_max(mv));
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  simd::F32 sv{};
  for (i = 0; i + kW <= n; i += kW) {
    simd::F32 e = simd::exp_nonpositive(simd::load(x + i) - m);
    simd::store(y + i, e);
    sv += e;
  }
  float sum = simd::reduce_sum(sv);
  for (; i < n; ++i) {
    const float v = x[i] - m;
    y[i] = v < -87.33f ? 0.0f : vmath::exp_f32(v);  // flushed as exp_nonpositive does
    sum += y[i];
  }
  const float inv = 1.0f / sum;
  for (i = 0; i + kW <= n; i += kW) simd::store(y + i, simd::load(y + i) * inv);
  for (; i < n; ++i) y[i] *= inv;
}

}  // namespace parallax::softmax
