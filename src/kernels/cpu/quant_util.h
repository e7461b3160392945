// Shared pieces of the quantization kernels (QuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul, QLinearConv, ...): rounding/saturation, zero
// point reading, an int32-accumulating batched matmul with numpy
// broadcasting, and an int32-accumulating grouped N-d convolution.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace quant_detail {

// round-half-to-even(v) + zp, saturated to Q's range.
template <typename Q>
inline Q saturate_round(float v, int32_t zp) {
  float r = std::nearbyint(v) + static_cast<float>(zp);
  // NaN (e.g. 0 / a zero scale) survives std::clamp and converting it is
  // undefined; give the lowest value, as ONNX Runtime's float->int conversion
  // does on x86.
  if (std::isnan(r)) return std::numeric_limits<Q>::lowest();
  r = std::clamp(r, static_cast<float>(std::numeric_limits<Q>::lowest()),
                 static_cast<float>(std::numeric_limits<Q>::max()));
  return static_cast<Q>(r);
}

// A QuantizeLinear -> DequantizeLinear round trip of x with per-tensor
// `scale`, `lo` = lowest - zero point and `hi` = max - zero point:
// (the clamped, rounded x / scale) * scale. Clamping before rounding is the
// same as after (integer bounds) and sends NaN to `lo` as saturate_round
// does; adding and taking away 1.5 * 2^23 rounds half to even. Every kernel
// that computes a round trip (QuantizeDequantize, SoftmaxAttention,
// QLinearSwish) goes through this one, so fusing one in changes no bit.
inline float round_trip(float x, float scale, float lo, float hi) {
  float v = x / scale;
  v = v > lo ? v : lo;
  v = v < hi ? v : hi;
  return ((v + 12582912.0f) - 12582912.0f) * scale;
}

// QuantizeLinear's per-tensor arithmetic in a form that vectorises:
// saturate(round_half_even(x / scale) + zp) for Q's range, with `lo` =
// lowest - zp and `hi` = max - zp (clamping before rounding is the same as
// after and sends NaN to `lo`, as saturate_round does). QuantizeLinear and
// QLinearSwish's table both go through it, so the table matches to the bit.
template <typename Q>
inline Q quantize_clamped(float x, float scale, float lo, float hi, int32_t zp) {
  float v = x / scale;
  v = v > lo ? v : lo;
  v = v < hi ? v : hi;
  const float r = (v + 12582912.0f) - 12582912.0f;
  return static_cast<Q>(static_cast<int32_t>(r) + zp);
}

// Values of an integer tensor (int8/uint8/int32) as int32; empty when absent.
inline Result<std::vector<int32_t>> read_i32(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.numel()));
  switch (t.dtype()) {
    case DataType::kUInt8: for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<uint8_t>()[i]; break;
    case DataType::kInt8: for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int8_t>()[i]; break;
    case DataType::kInt32: for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int32_t>()[i]; break;
    default:
      return error(StatusCode::kUnsupported, "quantized element type ", data_type_name(t.dtype()), " is not supported");
  }
  return v;
}

inline Result<std::vector<float>> read_f32(const Tensor& t) {
  std::vector<float> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::kFloat32) {
    std::copy_n(t.data<float>(), v.size(), v.begin());
  } else {
    return error(StatusCode::kUnsupported, "scale of type ", data_type_name(t.dtype()), " is not supported");
  }
  return v;
}

// Optional zero-point input i, or {0}.
inline Result<std::vector<int32_t>> zero_point(const ComputeContext& ctx, size_t i) {
  if (!ctx.has_input(i) || ctx.input(i).numel() == 0) return std::vector<int32_t>{0};
  return read_i32(ctx.input(i));
}

// Checks a Quantize/DequantizeLinear's constant parameters when the kernel
// is made: scales finite and positive (a zero or NaN scale gives zeros or
// NaNs without a word), the zero point of the quantized side's type where
// both are known, and `axis` within the rank of a constant (weight) input.
inline Status check_quantize_params(const KernelCreateContext& ctx, const char* op, int64_t axis,
                                    size_t quantized_input) {
  if (const Tensor* s = ctx.has_input(1) ? ctx.constant_input(1) : nullptr) {
    if (s->dtype() != DataType::kFloat32)
      return error(StatusCode::kInvalidArgument, op, ": the scale must be float32, got ", data_type_name(s->dtype()));
    for (int64_t i = 0; i < s->numel(); ++i) {
      const float v = s->data<float>()[i];
      if (!std::isfinite(v) || v <= 0.0f)
        return error(StatusCode::kInvalidArgument, op, ": the scale must be finite and positive, got ", v);
    }
    const Tensor* x = ctx.constant_input(0);
    if (x && s->numel() != 1 && (axis < -static_cast<int64_t>(x->rank()) || axis >= static_cast<int64_t>(x->rank())))
      return error(StatusCode::kInvalidArgument, op, ": axis ", axis, " is out of range for rank ", x->rank());
  }
  if (quantized_input == 0 && ctx.has_input(2)) {
    const DataType zt = ctx.input_dtype(2), xt = ctx.input_dtype(0);
    if (zt != DataType::kUndefined && xt != DataType::kUndefined && zt != xt)
      return error(StatusCode::kInvalidArgument, op, ": the zero point is ", data_type_name(zt), " but x is ",
                   data_type_name(xt));
  }
  return Status::ok();
}

// Output shape of numpy matmul of shapes a and b.
inline Result<Shape> matmul_shape(const char* op, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) return error(StatusCode::kInvalidArgument, op, ": inputs must not be scalars");
  Shape a2 = a, b2 = b;
  if (a2.size() == 1) a2.insert(a2.begin(), 1);
  if (b2.size() == 1) b2.push_back(1);
  if (a2.back() != b2[b2.size() - 2])
    return error(StatusCode::kInvalidArgument, op, ": inner dimensions differ: ", shape_to_string(a), " x ",
                 shape_to_string(b));
  Shape ab(a2.begin(), a2.end() - 2), bb(b2.begin(), b2.end() - 2);
  PX_ASSIGN_OR_RETURN(Shape out, broadcast_shapes(ab, bb));
  if (a.size() > 1) out.push_back(a2[a2.size() - 2]);
  if (b.size() > 1) out.push_back(b2.back());
  return out;
}

// Y (int32, out_shape) = (A - a_zp) x (B - b_zp), numpy broadcasting over batch dims.
// a_zp: one value or one per row of A's matrix (M); b_zp: one value or one per column (N).
template <typename TA, typename TB>
Status matmul_i32(const char* op, const Tensor& A, const Tensor& B, const std::vector<int32_t>& azp,
                  const std::vector<int32_t>& bzp, int32_t* Y, int threads) {
  Shape a2 = A.shape(), b2 = B.shape();
  if (a2.size() == 1) a2.insert(a2.begin(), 1);
  if (b2.size() == 1) b2.push_back(1);
  const int64_t M = a2[a2.size() - 2], K = a2.back(), N = b2.back();
  if (b2[b2.size() - 2] != K) return error(StatusCode::kInvalidArgument, op, ": inner dimensions differ");
  if (azp.size() != 1 && static_cast<int64_t>(azp.size()) != M)
    return error(StatusCode::kInvalidArgument, op, ": a_zero_point must be a scalar or have ", M, " elements");
  if (bzp.size() != 1 && static_cast<int64_t>(bzp.size()) != N)
    return error(StatusCode::kInvalidArgument, op, ": b_zero_point must be a scalar or have ", N, " elements");
  Shape ab(a2.begin(), a2.end() - 2), bb(b2.begin(), b2.end() - 2);
  PX_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(ab, bb));
  const size_t r = batch.size();
  ab.insert(ab.begin(), r - ab.size(), 1);
  bb.insert(bb.begin(), r - bb.size(), 1);
  auto sa = strides_of(ab), sb = strides_of(bb);
  const int64_t nbatch = shape_numel(batch);
  // An empty Y can still have 2^58 rows of zero columns: the row loop would
  // spin on nothing (a hang a model can ask for).
  if (nbatch == 0 || M == 0 || N == 0) return Status::ok();
  const TA* ap = A.data<TA>();
  const TB* bp = B.data<TB>();
  parallel_for(threads, nbatch * M, std::max<int64_t>(1, 4096 / std::max<int64_t>(K * N, 1)), [&](int64_t s0, int64_t s1) {
    std::vector<int32_t> acc(static_cast<size_t>(N));
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t bi = s / M, m = s % M;
      int64_t rem = bi, oa = 0, ob = 0;
      for (size_t d = r; d-- > 0;) {
        int64_t idx = rem % batch[d];
        rem /= batch[d];
        if (ab[d] != 1) oa += idx * sa[d];
        if (bb[d] != 1) ob += idx * sb[d];
      }
      const TA* arow = ap + (oa * M + m) * K;
      const TB* bm = bp + ob * K * N;
      const int32_t za = azp.size() == 1 ? azp[0] : azp[static_cast<size_t>(m)];
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t k = 0; k < K; ++k) {
        const int32_t av = static_cast<int32_t>(arow[k]) - za;
        if (av == 0) continue;
        const TB* brow = bm + k * N;
        if (bzp.size() == 1) {
          const int32_t zb = bzp[0];
          for (int64_t n = 0; n < N; ++n) acc[n] += av * (static_cast<int32_t>(brow[n]) - zb);
        } else {
          for (int64_t n = 0; n < N; ++n) acc[n] += av * (static_cast<int32_t>(brow[n]) - bzp[n]);
        }
      }
      std::copy(acc.begin(), acc.end(), Y + s * N);
    }
  });
  return Status::ok();
}

// Attributes of the integer convolutions.
struct ConvAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> dilations, kernel_shape, pads, strides;
  int64_t group = 1;
};

inline Result<ConvAttrs> parse_conv_attrs(const KernelCreateContext& ctx) {
  ConvAttrs c;
  const Attributes& a = ctx.attrs();
  PX_ASSIGN_OR_RETURN(c.auto_pad, a.get_string("auto_pad", "NOTSET"));
  PX_ASSIGN_OR_RETURN(c.dilations, a.get_ints("dilations", std::vector<int64_t>{}));
  PX_ASSIGN_OR_RETURN(c.kernel_shape, a.get_ints("kernel_shape", std::vector<int64_t>{}));
  PX_ASSIGN_OR_RETURN(c.pads, a.get_ints("pads", std::vector<int64_t>{}));
  PX_ASSIGN_OR_RETURN(c.strides, a.get_ints("strides", std::vector<int64_t>{}));
  PX_ASSIGN_OR_RETURN(c.group, a.get_int("group", 1));
  if (c.group < 1) return error(StatusCode::kInvalidArgument, "group must be >= 1");
  if (c.auto_pad != "NOTSET" && c.auto_pad != "SAME_UPPER" && c.auto_pad != "SAME_LOWER" && c.auto_pad != "VALID")
    return error(StatusCode::kInvalidArgument, "unknown auto_pad '", c.auto_pad, "'");
  return c;
}

// Resolved geometry for given input/weight shapes.
struct ConvGeom {
  int64_t N = 0, C = 0, M = 0, group = 1;
  std::vector<int64_t> in, k, out, stride, dil, pad_begin;
};

inline Result<ConvGeom> conv_geometry(const char* op, const ConvAttrs& a, const Shape& x, const Shape& w) {
  if (x.size() < 3 || w.size() != x.size())
    return error(StatusCode::kInvalidArgument, op, ": X ", shape_to_string(x), " and W ", shape_to_string(w),
                 " must have the same rank >= 3");
  const size_t sd = x.size() - 2;
  ConvGeom g;
  g.N = x[0];
  g.C = x[1];
  g.M = w[0];
  g.group = a.group;
  auto channels = checked_mul(w[1], a.group);  // group is an unbounded attribute
  if (!channels.is_ok() || g.C != channels.value() || g.M % a.group != 0)
    return error(StatusCode::kInvalidArgument, op, ": channels do not match: X ", shape_to_string(x), ", W ",
                 shape_to_string(w), ", group ", a.group);
  // The attributes are unbounded values from the model: their counts and
  // signs are checked, and so is the window arithmetic.
  if ((!a.strides.empty() && a.strides.size() != sd) || (!a.dilations.empty() && a.dilations.size() != sd))
    return error(StatusCode::kInvalidArgument, op, ": strides and dilations must have ", sd, " values");
  if (a.auto_pad == "NOTSET" && !a.pads.empty() && a.pads.size() != 2 * sd)
    return error(StatusCode::kInvalidArgument, op, ": pads must have ", 2 * sd, " values");
  for (int64_t p : a.pads)
    if (p < 0) return error(StatusCode::kInvalidArgument, op, ": pads must be >= 0, got ", p);
  for (size_t i = 0; i < sd; ++i) {
    const int64_t in = x[i + 2], k = w[i + 2];
    // An empty kernel has no window to slide: it would make outputs from
    // nothing while the loops still walk every input channel.
    if (k < 1) return error(StatusCode::kInvalidArgument, op, ": W ", shape_to_string(w), " has an empty kernel dim");
    if (!a.kernel_shape.empty() && (a.kernel_shape.size() != sd || a.kernel_shape[i] != k))
      return error(StatusCode::kInvalidArgument, op, ": kernel_shape does not match W");
    const int64_t s = a.strides.empty() ? 1 : a.strides[i];
    const int64_t d = a.dilations.empty() ? 1 : a.dilations[i];
    if (s <= 0 || d <= 0) return error(StatusCode::kInvalidArgument, op, ": strides and dilations must be positive");
    PX_ASSIGN_OR_RETURN(int64_t ek, checked_mul(k - 1, d));
    PX_ASSIGN_OR_RETURN(ek, checked_add(ek, 1));
    int64_t pb = 0, pe = 0, out;
    if (a.auto_pad == "NOTSET") {
      if (!a.pads.empty()) {
        pb = a.pads[i];
        pe = a.pads[i + sd];
      }
      PX_ASSIGN_OR_RETURN(int64_t padded, checked_add(in, pb));
      PX_ASSIGN_OR_RETURN(padded, checked_add(padded, pe));
      PX_ASSIGN_OR_RETURN(int64_t span, checked_add(padded, -ek));
      out = span < 0 ? 0 : span / s + 1;
    } else if (a.auto_pad == "VALID") {
      PX_ASSIGN_OR_RETURN(int64_t span, checked_add(in, -ek));
      out = span < 0 ? 0 : span / s + 1;
    } else {
      out = in == 0 ? 0 : (in - 1) / s + 1;
      PX_ASSIGN_OR_RETURN(int64_t reach, checked_add(std::max<int64_t>(out - 1, 0) * s, ek));
      const int64_t total = std::max<int64_t>(0, reach - in);
      pb = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    }
    g.in.push_back(in);
    g.k.push_back(k);
    g.out.push_back(out);
    g.stride.push_back(s);
    g.dil.push_back(d);
    g.pad_begin.push_back(pb);
  }
  return g;
}

inline Shape conv_out_shape(const ConvGeom& g) {
  Shape s{g.N, g.M};
  s.insert(s.end(), g.out.begin(), g.out.end());
  return s;
}

// Y[n, m, out...] = sum (x - xzp) * (w - wzp[m]) over the group's channels and kernel window (padding reads xzp, i.e. 0).
template <typename TX, typename TW>
void conv_i32(const ConvGeom& g, const TX* x, int32_t xzp, const TW* w, const std::vector<int32_t>& wzp, int32_t* y,
              int threads) {
  const size_t sd = g.in.size();
  int64_t in_sp = 1, k_sp = 1, out_sp = 1;
  for (size_t i = 0; i < sd; ++i) { in_sp *= g.in[i]; k_sp *= g.k[i]; out_sp *= g.out[i]; }
  const int64_t cpg = g.C / g.group, mpg = g.M / g.group;
  parallel_for(threads, g.N * g.M, 1, [&](int64_t s0, int64_t s1) {
    std::vector<int64_t> oidx(sd), kidx(sd);
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t n = s / g.M, m = s % g.M, grp = m / mpg;
      const int32_t zw = wzp.size() == 1 ? wzp[0] : wzp[static_cast<size_t>(m)];
      int32_t* yo = y + s * out_sp;
      for (int64_t o = 0; o < out_sp; ++o) {
        int64_t rem = o;
        for (size_t d = sd; d-- > 0;) { oidx[d] = rem % g.out[d]; rem /= g.out[d]; }
        int32_t acc = 0;
        for (int64_t c = 0; c < cpg; ++c) {
          const TX* xp = x + (n * g.C + grp * cpg + c) * in_sp;
          const TW* wp = w + (m * cpg + c) * k_sp;
          for (int64_t kk = 0; kk < k_sp; ++kk) {
            int64_t r2 = kk, off = 0;
            bool inside = true;
            for (size_t d = sd; d-- > 0;) { kidx[d] = r2 % g.k[d]; r2 /= g.k[d]; }
            int64_t mul = 1;
            for (size_t d = sd; d-- > 0;) {
              const int64_t pos = oidx[d] * g.stride[d] - g.pad_begin[d] + kidx[d] * g.dil[d];
              if (pos < 0 || pos >= g.in[d]) { inside = false; break; }
              off += pos * mul;
              mul *= g.in[d];
            }
            if (!inside) continue;
            acc += (static_cast<int32_t>(xp[off]) - xzp) * (static_cast<int32_t>(wp[kk]) - zw);
          }
        }
        yo[o] = acc;
      }
    }
  });
}

}  // namespace quant_detail
}  // namespace parallax
