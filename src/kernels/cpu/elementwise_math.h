// Branch-free float32 math for the hot elementwise kernels (Exp, Sigmoid,
// Tanh, Erf). Every function is a straight line of multiplies, adds,
// compares and integer bit tricks, written once for T = float and for
// T = simd::F32 (a GCC vector, simd_f32.h): the kernels call the vector form
// on whole vectors, since GCC 12 leaves the scalar loops scalar on AVX2 (the
// selects become branches; 9 ns an element for Gelu), and both forms do the
// same operations in the same order.
//
// Accuracy (measured against double precision over the whole float range):
// exp ~2 ulp, sigmoid ~3 ulp, tanh ~3 ulp, erf ~3e-7 absolute / relative.
// Coefficients are least-squares fits on Chebyshev nodes made for this file.
#pragma once

#include <bit>
#include <cstdint>

#include "kernels/cpu/exp_poly.h"
#include "kernels/cpu/simd_f32.h"

namespace parallax::vmath {

namespace detail {
// c in every lane of T (GCC's vector selects take no scalar operand).
template <typename T>
inline T splat(float c) {
  return T{} + c;
}
inline int32_t to_int(float x) { return static_cast<int32_t>(x); }
inline simd::I32 to_int(simd::F32 x) { return __builtin_convertvector(x, simd::I32); }
// The float (or floats) with these bits.
inline float from_bits(int32_t i) { return std::bit_cast<float>(i); }
inline simd::F32 from_bits(simd::I32 i) { return std::bit_cast<simd::F32>(i); }
}  // namespace detail

// e^x. NaN in -> NaN out; overflows to +inf; underflows through denormals to 0.
template <typename T>
inline T exp(T x) {
  T xc = x > -104.0f ? x : detail::splat<T>(-104.0f);  // NaN goes to -104 here and is restored below
  xc = xc < 89.0f ? xc : detail::splat<T>(89.0f);
  const T kf = exp_poly::round_log2(xc);
  const T p = exp_poly::exp_reduced(xc, kf);
  // 2^k split in two factors so that k in [-150, 129] stays representable.
  const auto k = detail::to_int(kf);
  const auto k1 = k >> 1;
  const auto k2 = k - k1;
  const T y = p * detail::from_bits((k1 + 127) << 23) * detail::from_bits((k2 + 127) << 23);
  return x != x ? x : y;
}

template <typename T>
inline T sigmoid(T x) {
  return 1.0f / (1.0f + exp(-x));
}

template <typename T>
inline T tanh(T x) {
  const T a = x < 0.0f ? -x : x;
  // Small |x|: odd polynomial (no cancellation).
  const T x2 = x * x;
  T p = detail::splat<T>(0.0023079782565464282f);
  p = p * x2 - 0.00835991279263876f;
  p = p * x2 + 0.021774931846003064f;
  p = p * x2 - 0.05396022771792159f;
  p = p * x2 + 0.13333309589056302f;
  p = p * x2 - 0.3333333326001733f;
  const T small = x + x * x2 * p;
  // Otherwise 1 - 2 / (e^{2|x|} + 1), which saturates to 1 when e overflows.
  const T e = exp(2.0f * a);
  T big = 1.0f - 2.0f / (e + 1.0f);
  big = x < 0.0f ? -big : big;
  return a < 0.625f ? small : big;
}

template <typename T>
inline T erf(T x) {
  const T a = x < 0.0f ? -x : x;
  // |x| < 0.75: erf(x) = x * P(x^2).
  const T x2 = x * x;
  T p = detail::splat<T>(-0.0006775743467041448f);
  p = p * x2 + 0.005118288275562821f;
  p = p * x2 - 0.026836751320985952f;
  p = p * x2 + 0.11283425528290994f;
  p = p * x2 - 0.376126231029223f;
  p = p * x2 + 1.1283791663911162f;
  const T small = x * p;
  // Otherwise erf = 1 - e^{-x^2} R(t), t = 1 / (1 + x/2), R fitted on [0.75, 4].
  const T ac = a > 4.0f ? detail::splat<T>(4.0f) : a;  // erf(4) rounds to 1 in float; NaN stays NaN
  const T t = 1.0f / (1.0f + 0.5f * ac);
  T q = detail::splat<T>(0.1192677400832402f);
  q = q * t - 0.4709407298265898f;
  q = q * t + 0.5629174126335978f;
  q = q * t - 0.10334866749487225f;
  q = q * t + 0.3476842994777337f;
  q = q * t + 0.2597201077905815f;
  q = q * t + 0.2849074878990202f;
  q = q * t - 0.0001538398006248463f;
  T big = 1.0f - exp(-ac * ac) * q;
  big = x < 0.0f ? -big : big;
  return a < 0.75f ? small : big;
}

inline float exp_f32(float x) { return exp(x); }
inline float sigmoid_f32(float x) { return sigmoid(x); }
inline float tanh_f32(float x) { return tanh(x); }
inline float erf_f32(float x) { return erf(x); }

}  // namespace parallax::vmath
