// The core of Parallax's float e^x, written once for a scalar float and for
// a GCC float vector (simd_f32.h): T is either, since the arithmetic below
// reads the same for both. Callers clamp x first and scale by 2^k after,
// each as its range needs (vmath::exp_f32 in two factors for the whole
// float range, simd::exp_nonpositive in one for Softmax's x - max <= 0).
#pragma once

namespace parallax::exp_poly {

// round(x / ln 2), by adding and removing 1.5 * 2^23 (vectorises, unlike
// nearbyint).
template <typename T>
inline T round_log2(T x) {
  return (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
}

// e^r for r = x - k ln 2 (|r| <= ln2 / 2): Cody-Waite reduction with a
// high part whose low mantissa bits are zero (k * high is exact), then a
// degree-6 polynomial.
template <typename T>
inline T exp_reduced(T x, T k) {
  const T r = (x - k * 0.693145751953125f) - k * 1.428606765330187045e-06f;
  T p = T{} + 0.001382942058954592f;
  p = p * r + 0.008374771520071128f;
  p = p * r + 0.04166835803313652f;
  p = p * r + 0.16666420832119477f;
  p = p * r + 0.4999999149303626f;
  p = p * r + 1.0000000361258987f;
  p = p * r + 1.0000000005920204f;
  return p;
}

}  // namespace parallax::exp_poly
