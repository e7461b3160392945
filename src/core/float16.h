// IEEE binary16 (float16) and bfloat16 <-> float conversions, bit exact.
//
// Kernels never compute in these types: the graph pass widen_half_floats
// gives them float32 (see graph/passes/widen_half_floats.cc), so only Cast,
// the loader and graph I/O touch the 16-bit bits. Narrowing rounds to nearest,
// ties to even (IEEE default), overflows to infinity, keeps subnormals and
// keeps NaN a NaN (quiet, sign kept). Widening is exact.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace parallax {

inline float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // Inf, or NaN with its payload
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);  // rebias 15 -> 127
  } else if (mant == 0) {
    bits = sign;
  } else {
    // Subnormal half: normalise; every one is a normal float.
    int shift = 0;
    while ((mant & 0x400u) == 0) mant <<= 1, ++shift;
    bits = sign | (static_cast<uint32_t>(113 - shift) << 23) | ((mant & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

inline uint16_t float_to_half(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // Inf or NaN; a NaN stays NaN even if its payload is in the low bits
    if (abs == 0x7f800000u) return sign | 0x7c00u;
    return sign | 0x7e00u | static_cast<uint16_t>((abs >> 13) & 0x3ffu);
  }
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // rounds above 65504: overflow to Inf
  if (abs < 0x38800000u) {
    // Below the smallest normal half (2^-14): a subnormal or zero. Scale the
    // implicit-one significand down; the shift drops bits, which decide the rounding.
    if (abs < 0x33000000u) return sign;  // below half the smallest subnormal (2^-25), or exactly it: ties to 0
    const uint32_t e = abs >> 23;
    const uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14..24 (e = 102..112)
    uint32_t r = m >> shift;
    const uint32_t rest = m & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (r & 1u))) ++r;
    return sign | static_cast<uint16_t>(r);
  }
  // Normal: drop 13 bits, round to nearest even (a carry into the exponent is correct).
  uint32_t r = abs - 0x38000000u;  // rebias 127 -> 15
  r += 0x0fffu + ((r >> 13) & 1u);
  return sign | static_cast<uint16_t>(r >> 13);
}

inline float bfloat16_to_float(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

inline uint16_t float_to_bfloat16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  // NaN: keep sign, force quiet so that truncating the payload cannot make Inf.
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x0040u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

// float64 -> float rounding to odd: a second rounding to a format at least two
// bits narrower (half, bfloat16) then equals one direct rounding from the double.
inline float double_to_float_round_odd(double d) {
  float f = static_cast<float>(d);
  if (!std::isfinite(f) || static_cast<double>(f) == d) return f;
  uint32_t bits = std::bit_cast<uint32_t>(f);
  // Round toward zero first (the nearest cast may have gone up in magnitude), then set the sticky bit.
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) --bits;
  return std::bit_cast<float>(bits | 1u);
}

inline uint16_t double_to_half(double d) {
  return float_to_half(double_to_float_round_odd(d));
}
inline uint16_t double_to_bfloat16(double d) {
  return float_to_bfloat16(double_to_float_round_odd(d));
}

}  // namespace parallax
