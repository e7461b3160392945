// QLinearAdd(A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp): the sum of
// two quantized tensors, requantized, in one pass over bytes:
//
//   C = saturate(round(act((A - A_zp) * A_scale + (B - B_zp) * B_scale) / C_scale) + C_zp)
//
// with the float arithmetic of DequantizeLinear -> Add [-> Relu] ->
// QuantizeLinear, step for step, so that graph/passes/fuse_qdq_add.cc (which
// makes com.parallax.QLinearAdd from that chain) changes no bit. Also
// com.microsoft's op (ORT's QOperator format). Scales and zero points are
// per tensor; B broadcasts numpy-style against A.
#include <cmath>
#include <limits>

#include "core/shape_arith.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/quant_util.h"
#include "kernels/cpu/simd_f32.h"

namespace parallax {
namespace {

using namespace quant_detail;

// Elements per thread at least: about 4 us of work, enough to pay for waking
// a partner thread. (64 Ki kept all but the largest residual adds of
// mobilenet_v2 int8 on one thread: 0.20 ms per run against ORT's 0.12.)
constexpr int64_t kGrain = 1 << 12;

// round-half-even(v) + zp saturated to Q, as saturate_round but vectorizable:
// v is clamped to +-2^22 (both ends saturate anyway; NaN goes to the low end
// as saturate_round sends it to the lowest value), and 1.5 * 2^23 added and
// taken away rounds it half to even.
template <typename Q>
inline Q requantize(float v, float zp) {
  constexpr float kBig = 4194304.0f, kRound = 12582912.0f;
  v = v > -kBig ? v : -kBig;
  v = v < kBig ? v : kBig;
  float r = ((v + kRound) - kRound) + zp;
  constexpr float lo = static_cast<float>(std::numeric_limits<Q>::lowest()),
                  hi = static_cast<float>(std::numeric_limits<Q>::max());
  r = r > lo ? r : lo;
  r = r < hi ? r : hi;
  return static_cast<Q>(static_cast<int32_t>(r));
}

// requantize() on a vector, lane for lane the same operations.
template <typename Q>
inline void store_requantized(Q* p, simd::F32 v, simd::F32 zp) {
  constexpr float kBig = 4194304.0f, kRound = 12582912.0f;
  constexpr float lo = static_cast<float>(std::numeric_limits<Q>::lowest()),
                  hi = static_cast<float>(std::numeric_limits<Q>::max());
  v = v > -kBig ? v : simd::splat(-kBig);
  v = v < kBig ? v : simd::splat(kBig);
  simd::F32 r = ((v + kRound) - kRound) + zp;
  r = r > lo ? r : simd::splat(lo);
  r = r < hi ? r : simd::splat(hi);
  simd::store_narrowed(p, __builtin_convertvector(r, simd::I32));
}

// A of C's shape, B of C's shape (a residual connection) or one value: the
// arithmetic of compute()'s general loop, written in vectors because GCC
// leaves the scalar loop scalar on AVX2 (its clamps become branches): 6 ns
// an element, 16 % of resnet18 int8's time. The same operations in the same
// order, and this file is built without FMA contraction (CMakeLists.txt), so
// the bits are those of DequantizeLinear -> Add -> QuantizeLinear.
template <typename Q, bool kRelu, bool kScalarB>
void add_vectorized(const Q* a, const Q* b, Q* c, int64_t n, float sa, int32_t za, float sb, int32_t zb, float sc,
                    float zc, int threads) {
  parallel_for(threads, n, kGrain, [=](int64_t i0, int64_t i1) {
    constexpr int64_t L = simd::kF32Lanes;
    const simd::F32 vsa = simd::splat(sa), vsb = simd::splat(sb), vsc = simd::splat(sc), vzc = simd::splat(zc);
    const simd::I32 vza = simd::I32{} + za, vzb = simd::I32{} + zb;
    const simd::F32 fb_scalar = simd::splat(static_cast<float>(static_cast<int32_t>(b[0]) - zb) * sb);
    int64_t i = i0;
    for (; i + L <= i1; i += L) {
      const simd::F32 fa = __builtin_convertvector(simd::load_widened(a + i) - vza, simd::F32) * vsa;
      const simd::F32 fb =
          kScalarB ? fb_scalar : __builtin_convertvector(simd::load_widened(b + i) - vzb, simd::F32) * vsb;
      simd::F32 s = fa + fb;
      if constexpr (kRelu) s = s > 0.0f ? s : simd::F32{};
      store_requantized(c + i, s / vsc, vzc);
    }
    for (; i < i1; ++i) {
      const float fa = static_cast<float>(static_cast<int32_t>(a[i]) - za) * sa;
      const float fb = static_cast<float>(static_cast<int32_t>(b[kScalarB ? 0 : i]) - zb) * sb;
      float s = fa + fb;
      if constexpr (kRelu) s = s > 0.0f ? s : 0.0f;
      c[i] = requantize<Q>(s / sc, zc);
    }
  });
}

class QLinearAddKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<QLinearAddKernel>();
    PX_ASSIGN_OR_RETURN(k->act_, dnnl_util::FusedActivation::parse(ctx));
    if (k->act_.residual) return error(StatusCode::kInvalidArgument, "QLinearAdd: px_residual is not supported");
    for (size_t i : {1, 4, 6}) {
      const Tensor* s = ctx.has_input(i) ? ctx.constant_input(i) : nullptr;
      if (!s) continue;
      if (s->dtype() != DataType::kFloat32 || s->numel() != 1)
        return error(StatusCode::kInvalidArgument, "QLinearAdd: scales must be one float32 each");
      const float v = *s->data<float>();
      if (!std::isfinite(v) || v <= 0.0f)
        return error(StatusCode::kInvalidArgument, "QLinearAdd: scale ", i, " must be finite and positive, got ", v);
    }
    for (auto [zp, of] : {std::pair<size_t, size_t>{2, 0}, {5, 3}}) {
      if (!ctx.has_input(zp)) continue;
      const DataType zt = ctx.input_dtype(zp), vt = ctx.input_dtype(of);
      if (zt != DataType::kUndefined && vt != DataType::kUndefined && zt != vt)
        return error(StatusCode::kInvalidArgument, "QLinearAdd: zero point ", zp, " is ", data_type_name(zt),
                     " but its tensor is ", data_type_name(vt));
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(Shape s, broadcast_shapes(ctx.input_shape(0), ctx.input_shape(3)));
    ctx.set_output(0, ctx.has_input(7) ? ctx.input_dtype(7) : DataType::kUInt8, s);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    Tensor& c = ctx.output(0);
    PX_ASSIGN_OR_RETURN(auto sa, read_f32(ctx.input(1)));
    PX_ASSIGN_OR_RETURN(auto sb, read_f32(ctx.input(4)));
    PX_ASSIGN_OR_RETURN(auto sc, read_f32(ctx.input(6)));
    PX_ASSIGN_OR_RETURN(auto za, zero_point(ctx, 2));
    PX_ASSIGN_OR_RETURN(auto zb, zero_point(ctx, 5));
    PX_ASSIGN_OR_RETURN(auto zc, zero_point(ctx, 7));
    if (sa.size() != 1 || sb.size() != 1 || sc.size() != 1 || za.size() != 1 || zb.size() != 1 || zc.size() != 1)
      return error(StatusCode::kInvalidArgument, "QLinearAdd: scales and zero points must be per tensor");
    if (a.dtype() != DataType::kUInt8 && a.dtype() != DataType::kInt8)
      return error(StatusCode::kInvalidArgument, "QLinearAdd: A must be uint8 or int8");
    if (b.dtype() != a.dtype() || c.dtype() != a.dtype())
      return error(StatusCode::kInvalidArgument, "QLinearAdd: A, B and C must share one type");
    // B's element for each of C's: the same index, or its broadcast one.
    const int64_t n = c.numel();
    std::vector<int64_t> b_index;
    if (b.shape() != c.shape() && b.numel() != 1) {
      if (a.shape() != c.shape()) return error(StatusCode::kUnsupported, "QLinearAdd: A must have the output's shape");
      Shape bs = b.shape();
      bs.insert(bs.begin(), c.rank() - bs.size(), 1);
      const auto bst = strides_of(bs);
      b_index.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        int64_t rem = i, off = 0;
        for (size_t d = c.rank(); d-- > 0;) {
          const int64_t idx = rem % c.dim(d);
          rem /= c.dim(d);
          if (bs[d] != 1) off += idx * bst[d];
        }
        b_index[static_cast<size_t>(i)] = off;
      }
    } else if (a.shape() != c.shape()) {
      return error(StatusCode::kUnsupported, "QLinearAdd: A must have the output's shape");
    }
    const bool relu = act_.kind == dnnl_util::FusedActivation::Kind::kRelu;
    if (act_.any() && !relu) return error(StatusCode::kUnsupported, "QLinearAdd: only Relu is fused");
    auto run = [&]<typename Q>() {
      const Q* ap = a.data<Q>();
      const Q* bp = b.data<Q>();
      Q* cp = c.data<Q>();
      const float fsa = sa[0], fsb = sb[0], fsc = sc[0], fzc = static_cast<float>(zc[0]);
      const int32_t iza = za[0], izb = zb[0];
      const bool scalar_b = b.numel() == 1 && b.shape() != c.shape();
      if (scalar_b || b_index.empty()) {
        const auto add = scalar_b ? (relu ? add_vectorized<Q, true, true> : add_vectorized<Q, false, true>)
                                  : (relu ? add_vectorized<Q, true, false> : add_vectorized<Q, false, false>);
        add(ap, bp, cp, n, fsa, iza, fsb, izb, fsc, fzc, ctx.num_threads());
        return;
      }
      parallel_for(ctx.num_threads(), n, kGrain, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          const int64_t j = scalar_b ? 0 : (b_index.empty() ? i : b_index[static_cast<size_t>(i)]);
          const float fa = static_cast<float>(static_cast<int32_t>(ap[i]) - iza) * fsa;
          const float fb = static_cast<float>(static_cast<int32_t>(bp[j]) - izb) * fsb;
          float s = fa + fb;
          if (relu) s = s > 0.0f ? s : 0.0f;
          cp[i] = requantize<Q>(s / fsc, fzc);
        }
      });
    };
    if (a.dtype() == DataType::kUInt8)
      run.template operator()<uint8_t>();
    else
      run.template operator()<int8_t>();
    return Status::ok();
  }

 private:
  dnnl_util::FusedActivation act_;
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "QLinearAdd", 1, kMaxOpset, QLinearAddKernel::create);
PX_REGISTER_KERNEL("com.microsoft", "QLinearAdd", 1, kMaxOpset, QLinearAddKernel::create);

}  // namespace parallax
