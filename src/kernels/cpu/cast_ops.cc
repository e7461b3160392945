#include "kernels/cpu/cast_ops.h"

#include <cstring>
#include <limits>
#ifdef __F16C__
#include <immintrin.h>
#endif
#include <string>
#include <type_traits>

#include "core/float16.h"
#include "core/status_macros.h"
#include "kernels/cpu/elementwise_common.h"

namespace parallax {
namespace {

template <class From, class To>
inline To cast_elem(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    return x ? To(1) : To(0);
  } else if constexpr (kIsFloat<From> && kIsInteger<To>) {
    // Bounds as From values: lowest is exact (0 or -2^k); 2^bits-ish upper bound is exact too.
    constexpr From lo = static_cast<From>(std::numeric_limits<To>::lowest());
    constexpr From hi_excl = static_cast<From>(std::numeric_limits<To>::max() / 2 + 1) * From(2);
    if (!(x == x)) return To(0);
    if (x <= lo) return std::numeric_limits<To>::lowest();
    if (x >= hi_excl) return std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

float widen_half(uint16_t bits, DataType type) {
  return type == DataType::kFloat16 ? half_to_float(bits) : bfloat16_to_float(bits);
}

// float <-> float16 eight at a time with F16C (the same rounding as
// float_to_half: nearest even); a model's fp16 input is cast on every run.
// Returns how many leading elements it converted.
int64_t half_float_bulk(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
#ifdef __F16C__
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
#endif
  (void)src, (void)dst, (void)n;
  return i;
}
int64_t float_half_bulk(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
#ifdef __F16C__
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#endif
  (void)src, (void)dst, (void)n;
  return i;
}

// From float16/bfloat16: widening to float is exact, so the float rules above apply unchanged.
Status cast_from_half(const Tensor& in, Tensor& out, int threads) {
  const DataType from = in.dtype();
  const uint16_t* src = in.data<uint16_t>();
  if (is_half_float(out.dtype())) {
    uint16_t* dst = out.data<uint16_t>();
    const bool to_half = out.dtype() == DataType::kFloat16;
    parallel_for(threads, in.numel(), 1 << 15, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const float f = widen_half(src[i], from);
        dst[i] = to_half ? float_to_half(f) : float_to_bfloat16(f);
      }
    });
    return Status::ok();
  }
  return visit_all(out.dtype(), [&]<typename To>() -> Status {
    To* dst = out.data<To>();
    parallel_for(threads, in.numel(), 1 << 15, [&](int64_t b, int64_t e) {
      if constexpr (std::is_same_v<To, float>)
        if (from == DataType::kFloat16) b += half_float_bulk(src + b, dst + b, e - b);
      for (int64_t i = b; i < e; ++i) dst[i] = cast_elem<float, To>(widen_half(src[i], from));
    });
    return Status::ok();
  });
}

// To float16/bfloat16 from any other type, rounding once to nearest even:
// float rounds directly; every other type goes through double (exact for all
// but int64/uint64 beyond 2^53, far past float16's range) and round-to-odd.
Status cast_to_half(const Tensor& in, Tensor& out, int threads) {
  uint16_t* dst = out.data<uint16_t>();
  const bool to_half = out.dtype() == DataType::kFloat16;
  return visit_all(in.dtype(), [&]<typename From>() -> Status {
    const From* src = in.data<From>();
    parallel_for(threads, in.numel(), 1 << 15, [&](int64_t b, int64_t e) {
      if constexpr (std::is_same_v<From, float>)
        if (to_half) b += float_half_bulk(src + b, dst + b, e - b);
      for (int64_t i = b; i < e; ++i) {
        if constexpr (std::is_same_v<From, float>) {
          dst[i] = to_half ? float_to_half(src[i]) : float_to_bfloat16(src[i]);
        } else {
          const double d = static_cast<double>(src[i]);
          dst[i] = to_half ? double_to_half(d) : double_to_bfloat16(d);
        }
      }
    });
    return Status::ok();
  });
}

}  // namespace

bool cast_supported(DataType from, DataType to) {
  auto ok = [](DataType t) { return is_storable(t) && t != DataType::kString; };
  return ok(from) && ok(to);
}

Status cast_tensor(const Tensor& in, Tensor& out, int threads) {
  if (!cast_supported(in.dtype(), out.dtype()))
    return error(StatusCode::kUnsupported, "Cast from ", data_type_name(in.dtype()), " to ",
                 data_type_name(out.dtype()), " is not supported");
  if (in.numel() != out.numel())
    return error(StatusCode::kInternal, "Cast: output has ", out.numel(), " elements, input ", in.numel());
  if (in.dtype() == out.dtype()) {
    if (out.raw() != in.raw()) std::memcpy(out.raw(), in.raw(), in.nbytes());
    return Status::ok();
  }
  if (is_half_float(in.dtype())) return cast_from_half(in, out, threads);
  if (is_half_float(out.dtype())) return cast_to_half(in, out, threads);
  return visit_all(in.dtype(), [&]<typename From>() -> Status {
    return visit_all(out.dtype(), [&]<typename To>() -> Status {
      const From* src = in.data<From>();
      To* dst = out.data<To>();
      parallel_for(threads, in.numel(), 1 << 15, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) dst[i] = cast_elem<From, To>(src[i]);
      });
      return Status::ok();
    });
  });
}

Result<DataType> read_cast_target(const KernelCreateContext& ctx) {
  const Attribute* a = ctx.attrs().find("to");
  if (a == nullptr) return error(StatusCode::kInvalidModel, "Cast: missing attribute 'to'");
  if (a->kind == Attribute::Kind::kString) {
    static const std::pair<const char*, DataType> kNames[] = {
        {"FLOAT", DataType::kFloat32}, {"UINT8", DataType::kUInt8},     {"INT8", DataType::kInt8},
        {"UINT16", DataType::kUInt16}, {"INT16", DataType::kInt16},     {"INT32", DataType::kInt32},
        {"INT64", DataType::kInt64},   {"STRING", DataType::kString},   {"BOOL", DataType::kBool},
        {"FLOAT16", DataType::kFloat16}, {"DOUBLE", DataType::kFloat64}, {"UINT32", DataType::kUInt32},
        {"UINT64", DataType::kUInt64}, {"BFLOAT16", DataType::kBFloat16}};
    for (const auto& [name, type] : kNames)
      if (a->s == name) return type;
    return error(StatusCode::kInvalidArgument, "Cast: unknown type name '", a->s, "' in attribute 'to'");
  }
  PX_ASSIGN_OR_RETURN(int64_t to, ctx.attrs().get_int("to"));
  DataType t = static_cast<DataType>(to);
  if (data_type_name(t).empty() || to <= 0 || to > 16)
    return error(StatusCode::kInvalidArgument, "Cast: attribute 'to' = ", to, " is not a valid element type");
  return t;
}

}  // namespace parallax
