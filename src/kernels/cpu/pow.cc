// Pow: base ^ exponent with numpy broadcasting. The output has the base's
// type; the exponent may be another numeric type (opset 12+). Integer ^
// integer is exact (wrapping); a single-element float exponent of 0, 1, 2,
// 3, -1 or 0.5 takes a fast path.
#include <cmath>
#include <limits>

#include "core/status_macros.h"
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

template <class T> inline constexpr bool kIsPowBase =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;

// Integer power by squaring; negative exponents truncate 1/a^-b toward zero.
template <class A, class B>
A int_pow(A a, B b) {
  if constexpr (std::is_signed_v<B>) {
    if (b < 0) {
      if (a == A(1)) return A(1);
      if (a == A(-1)) return (b % 2 == 0) ? A(1) : A(-1);
      return A(0);
    }
  }
  A result = 1;
  A base = a;
  while (b != 0) {
    if (b & 1) result = wrap_mul(result, base);
    b = static_cast<B>(b >> 1);
    if (b != 0) base = wrap_mul(base, base);
  }
  return result;
}

struct PowFn {
  template <class A, class B>
  A operator()(A a, B b) const {
    if constexpr (kIsInteger<A> && kIsInteger<B>) {
      return int_pow(a, b);
    } else if constexpr (std::is_same_v<A, float> && std::is_same_v<B, float>) {
      return std::pow(a, b);
    } else if constexpr (kIsInteger<A>) {
      // An integer base with a float exponent: the double result may be NaN
      // or beyond A's range, and converting those is undefined behaviour.
      // NaN gives 0 and out-of-range values A's limits (saturation).
      return saturate_cast<A>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    } else {
      return static_cast<A>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    }
  }
};

// Float base with one exponent value for the whole tensor. Returns false if
// the exponent is not one of the special cases.
template <class A>
bool pow_scalar_fast(const A* x, A* y, int64_t n, double e, int threads) {
  auto run = [&](auto f) {
    parallel_for(threads, n, elementwise_grain(1), [&](int64_t b, int64_t end) {
      for (int64_t i = b; i < end; ++i) y[i] = f(x[i]);
    });
  };
  if (e == 2.0) {
    run([](A v) { return v * v; });
  } else if (e == 1.0) {
    run([](A v) { return v; });
  } else if (e == 0.0) {
    run([](A) { return A(1); });
  } else if (e == 3.0) {
    run([](A v) { return v * v * v; });
  } else if (e == -1.0) {
    run([](A v) { return A(1) / v; });
  } else if (e == 0.5) {
    // pow(-0, .5) = +0 and pow(-inf, .5) = +inf, unlike sqrt.
    run([](A v) { return v == -std::numeric_limits<A>::infinity() ? -v : std::sqrt(v) + A(0); });
  } else {
    return false;
  }
  return true;
}

class PowKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<PowKernel>();
    PX_ASSIGN_OR_RETURN(k->legacy_, LegacyBroadcast::read(ctx));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_RETURN_IF_ERROR(check_types(ctx.input_dtype(0), ctx.input_dtype(1)));
    PX_ASSIGN_OR_RETURN(Shape b, legacy_.b_shape(ctx.input_shape(0), ctx.input_shape(1)));
    PX_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(ctx.input_shape(0), b));
    ctx.set_output(0, ctx.input_dtype(0), std::move(shape));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    PX_RETURN_IF_ERROR(check_types(a.dtype(), b.dtype()));
    PX_ASSIGN_OR_RETURN(Shape b_shape, legacy_.b_shape(a.shape(), b.shape()));
    if (kIsFloatType(a.dtype()) && b.numel() == 1 && y.numel() == a.numel()) {
      PX_ASSIGN_OR_RETURN(double e, read_scalar(b));
      bool done = false;
      if (a.dtype() == DataType::kFloat32) {
        done = pow_scalar_fast(a.data<float>(), y.data<float>(), a.numel(), e, ctx.num_threads());
      } else {
        done = pow_scalar_fast(a.data<double>(), y.data<double>(), a.numel(), e, ctx.num_threads());
      }
      if (done) return Status::ok();
    }
    PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(y.shape(), {a.shape(), b_shape}));
    return visit_numeric(a.dtype(), [&]<typename A>() -> Status {
      if constexpr (kIsPowBase<A>) {
        return visit_numeric(b.dtype(), [&]<typename B>() -> Status {
          broadcast_binary(plan, a.data<A>(), b.data<B>(), y.data<A>(), PowFn{}, ctx.num_threads(), 8);
          return Status::ok();
        });
      } else {
        return unsupported_type("Pow", a.dtype());
      }
    });
  }

 private:
  static bool kIsFloatType(DataType t) { return t == DataType::kFloat32 || t == DataType::kFloat64; }

  static Status check_types(DataType base, DataType exponent) {
    bool base_ok = base == DataType::kFloat32 || base == DataType::kFloat64 || base == DataType::kInt32 ||
                   base == DataType::kInt64;
    if (!base_ok) return unsupported_type("Pow (base)", base);
    Status s = visit_numeric(exponent, []<typename T>() { return Status::ok(); });
    if (!s.is_ok()) return unsupported_type("Pow (exponent)", exponent);
    return Status::ok();
  }

  LegacyBroadcast legacy_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Pow", 1, kMaxOpset, make_kernel<PowKernel>);

}  // namespace parallax
