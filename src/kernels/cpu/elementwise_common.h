// Type predicates and wrap-around integer arithmetic shared by the
// elementwise kernels (unary_ops.h, binary_ops.h, variadic_ops.h).
#pragma once

#include <limits>

#include <cstdint>
#include <type_traits>

#include "kernels/kernel_util.h"

namespace parallax {

// Predicates over the C++ types visit_all() dispatches to.
template <class T> inline constexpr bool kIsBool = std::is_same_v<T, bool>;
template <class T> inline constexpr bool kIsFloat = std::is_floating_point_v<T>;
template <class T> inline constexpr bool kIsNumeric = !kIsBool<T>;
template <class T> inline constexpr bool kIsInteger = std::is_integral_v<T> && !kIsBool<T>;
template <class T> inline constexpr bool kIsSignedNumeric = kIsNumeric<T> && std::is_signed_v<T>;
template <class T> inline constexpr bool kIsUnsignedInteger = kIsInteger<T> && std::is_unsigned_v<T>;

// Two's-complement wrapping arithmetic (no signed-overflow UB); identity
// for floating point. Small integer types promote to int and narrow back,
// which wraps the same way.
template <class T> inline T wrap_add(T a, T b) {
  if constexpr (kIsInteger<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <class T> inline T wrap_sub(T a, T b) {
  if constexpr (kIsInteger<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <class T> inline T wrap_mul(T a, T b) {
  if constexpr (kIsInteger<T>) {
    using U = std::make_unsigned_t<T>;
    // uint16 * uint16 promotes to (signed) int and could overflow: widen first.
    using W = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;
    return static_cast<T>(static_cast<U>(static_cast<W>(static_cast<U>(a)) * static_cast<W>(static_cast<U>(b))));
  } else {
    return a * b;
  }
}
template <class T> inline T wrap_neg(T a) { return wrap_sub(T(0), a); }

// A double result narrowed to the integer type T: NaN gives 0 and values
// beyond T's range its limits. A plain conversion of those is undefined
// behaviour, which the per-op fuzzer found in Pow, Shrink and Gemm.
template <class T> inline T saturate_cast(double r) {
  static_assert(kIsInteger<T>);
  if (r != r) return T(0);
  if (r <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (r >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

// Status for an element type an op does not accept.
inline Status unsupported_type(const char* op, DataType type) {
  return error(StatusCode::kUnsupported, op, " does not support element type ", data_type_name(type));
}

}  // namespace parallax
