// Float32 SIMD through GCC/Clang vector extensions, for loops that GCC 12
// does not vectorise well by itself: a reduction fused with a stored result
// (Softmax's exp-and-sum pass) comes out scalar or as masked 8-lane code.
//
// Why vector extensions and not intrinsics: one source serves the x86 build
// (AVX-512, AVX2 or SSE registers, whichever the target enables) and the
// ARM64 build (NEON). The vector is exactly as wide as the widest enabled
// registers, so no function here passes a vector the ABI cannot hold in one
// register (GCC's -Wpsabi). The names live in an inline namespace named by
// the width: the tests are built without -march=native, and functions of
// the same name but other widths must not merge at link time.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "kernels/cpu/exp_poly.h"

#if defined(__AVX512F__)
#define PX_SIMD_F32_LANES 16
#define PX_SIMD_ABI lanes16
#elif defined(__AVX__)
#define PX_SIMD_F32_LANES 8
#define PX_SIMD_ABI lanes8
#else
#define PX_SIMD_F32_LANES 4
#define PX_SIMD_ABI lanes4
#endif

namespace parallax::simd {
inline namespace PX_SIMD_ABI {

constexpr int kF32Lanes = PX_SIMD_F32_LANES;

using F32 = float __attribute__((vector_size(kF32Lanes * sizeof(float))));
using I32 = int32_t __attribute__((vector_size(kF32Lanes * sizeof(int32_t))));

inline F32 load(const float* p) {
  F32 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, F32 v) {
  std::memcpy(p, &v, sizeof v);
}
inline F32 splat(float x) {
  return F32{} + x;
}

// Bytes to int32 lanes and back, for the quantized kernels. GCC 12 lowers
// __builtin_convertvector between bytes and int32 lane by lane (a vpextrd,
// shift and or per byte: 1.7 ns an element in QLinearAdd on AVX2), so x86
// names its widening and packing instructions; other targets convert.
using U8 = uint8_t __attribute__((vector_size(kF32Lanes)));
using I8 = int8_t __attribute__((vector_size(kF32Lanes)));

inline I32 load_widened(const uint8_t* p) {
#if defined(__AVX512F__)
  return reinterpret_cast<I32>(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
#elif defined(__AVX2__)
  return reinterpret_cast<I32>(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
#else
  U8 b;
  std::memcpy(&b, p, sizeof b);
  return __builtin_convertvector(b, I32);
#endif
}

inline I32 load_widened(const int8_t* p) {
#if defined(__AVX512F__)
  return reinterpret_cast<I32>(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
#elif defined(__AVX2__)
  return reinterpret_cast<I32>(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
#else
  I8 b;
  std::memcpy(&b, p, sizeof b);
  return __builtin_convertvector(b, I32);
#endif
}

// Stores the low byte of each lane; the values must already lie in the
// type's range (AVX2's packs saturate, AVX-512's narrowing truncates: in
// range, both keep the value).
template <typename Q>
inline void store_narrowed(Q* p, I32 v) {
  static_assert(std::is_same_v<Q, uint8_t> || std::is_same_v<Q, int8_t>);
#if defined(__AVX512F__)
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(reinterpret_cast<__m512i>(v)));
#elif defined(__AVX2__)
  const __m256i w = reinterpret_cast<__m256i>(v);
  const __m128i h = _mm_packs_epi32(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
  const __m128i b = std::is_same_v<Q, uint8_t> ? _mm_packus_epi16(h, h) : _mm_packs_epi16(h, h);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(p), b);
#else
  using QV = std::conditional_t<std::is_same_v<Q, uint8_t>, U8, I8>;
  QV b = __builtin_convertvector(v, QV);
  std::memcpy(p, &b, sizeof b);
#endif
}

inline void store_u8(uint8_t* p, I32 v) {
  store_narrowed(p, v);
}

// out[i] = f(in[i]) for n floats, f taking and returning F32. The tail goes
// through f as well (zero-padded), so an element's bits do not depend on
// where a thread's range ends. `out` may be `in`.
template <typename F>
inline void transform(const float* in, float* out, int64_t n, F f) {
  int64_t i = 0;
  for (; i + kF32Lanes <= n; i += kF32Lanes) store(out + i, f(load(in + i)));
  if (i < n) {
    float buf[kF32Lanes] = {};
    const size_t bytes = static_cast<size_t>(n - i) * sizeof(float);
    std::memcpy(buf, in + i, bytes);
    store(buf, f(load(buf)));
    std::memcpy(out + i, buf, bytes);
  }
}

// Lane-wise maximum; a NaN in `b` is skipped as a running `b > a` test skips it.
inline F32 max(F32 a, F32 b) {
  return b > a ? b : a;
}

inline float reduce_max(F32 v) {
  float m = v[0];
  for (int j = 1; j < kF32Lanes; ++j) m = v[j] > m ? v[j] : m;
  return m;
}
inline float reduce_sum(F32 v) {
  float s = 0.0f;
  for (int j = 0; j < kF32Lanes; ++j) s += v[j];
  return s;
}

// e^x for x <= 0 (Softmax's x - max): the reduction and polynomial of
// vmath::exp_f32 (exp_poly.h), but below ln(FLT_MIN) the result is flushed to 0, so 2^k
// needs one exponent factor instead of two. NaN in -> NaN out.
inline F32 exp_nonpositive(F32 x) {
  constexpr float kLow = -87.33f;  // ~ln(FLT_MIN)
  F32 xc = x > kLow ? x : splat(kLow);
  const F32 kf = exp_poly::round_log2(xc);
  const F32 p = exp_poly::exp_reduced(xc, kf);
  I32 k = __builtin_convertvector(kf, I32);
  F32 y = p * std::bit_cast<F32>((k + 127) << 23);
  y = x < kLow ? F32{} : y;
  return x != x ? x : y;
}

}  // namespace PX_SIMD_ABI
}  // namespace parallax::simd
