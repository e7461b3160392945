// Range: start, start+delta, ... up to (excluding) limit; all three inputs are
// scalars whose values decide the output length.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

template <typename T>
Result<int64_t> range_length(T start, T limit, T delta) {
  if (delta == T(0)) return error(StatusCode::kInvalidArgument, "Range 'delta' must not be 0");
  if constexpr (std::is_floating_point_v<T>) {
    const double n = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) / static_cast<double>(delta));
    if (!(n > 0)) return int64_t{0};
    if (n > 9.0e18) return error(StatusCode::kInvalidArgument, "Range is too long");
    return static_cast<int64_t>(n);
  } else {
    const int64_t s = static_cast<int64_t>(start), l = static_cast<int64_t>(limit), d = static_cast<int64_t>(delta);
    if ((d > 0 && l <= s) || (d < 0 && l >= s)) return int64_t{0};
    // Unsigned: the span of two int64s and the size of INT64_MIN do not fit int64.
    const uint64_t span = d > 0 ? static_cast<uint64_t>(l) - static_cast<uint64_t>(s)
                                : static_cast<uint64_t>(s) - static_cast<uint64_t>(l);
    const uint64_t step = d > 0 ? static_cast<uint64_t>(d) : uint64_t{0} - static_cast<uint64_t>(d);
    const uint64_t n = span / step + (span % step != 0 ? 1 : 0);
    if (n > static_cast<uint64_t>(INT64_MAX)) return error(StatusCode::kInvalidArgument, "Range is too long");
    return static_cast<int64_t>(n);
  }
}

template <typename F>
Status visit_range_type(DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat32: return f.template operator()<float>();
    case DataType::kFloat64: return f.template operator()<double>();
    case DataType::kInt16: return f.template operator()<int16_t>();
    case DataType::kInt32: return f.template operator()<int32_t>();
    case DataType::kInt64: return f.template operator()<int64_t>();
    default: return error(StatusCode::kUnsupported, "Range does not support element type ", data_type_name(t));
  }
}

Status check_scalar(const Tensor& t, const char* what, DataType dt) {
  if (t.numel() != 1)
    return error(StatusCode::kInvalidArgument, "Range '", what, "' must be a scalar, got ", shape_to_string(t.shape()));
  if (t.dtype() != dt) return error(StatusCode::kInvalidArgument, "Range inputs must share one element type");
  return Status::ok();
}

class RangeKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    const Tensor* v[3] = {ctx.input_value(0), ctx.input_value(1), ctx.input_value(2)};
    if (!v[0] || !v[1] || !v[2]) return ctx.defer();
    PX_ASSIGN_OR_RETURN(int64_t n, length(*v[0], *v[1], *v[2]));
    ctx.set_output(0, v[0]->dtype(), {n});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& s = ctx.input(0);
    const Tensor& d = ctx.input(2);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(int64_t n, length(s, ctx.input(1), d));
    if (y.numel() != n) return error(StatusCode::kInternal, "Range output has ", y.numel(), " elements, expected ", n);
    return visit_range_type(s.dtype(), [&]<typename T>() {
      const T start = s.data<T>()[0], delta = d.data<T>()[0];
      T* out = y.data<T>();
      if constexpr (std::is_integral_v<T>) {
        // Step by delta: every value lies between start and limit, while
        // i * delta alone can overflow.
        T v = start;
        for (int64_t i = 0; i < n; ++i) {
          out[i] = v;
          if (i + 1 < n) v = static_cast<T>(v + delta);
        }
      } else {
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
      }
      return Status::ok();
    });
  }

 private:
  static Result<int64_t> length(const Tensor& s, const Tensor& l, const Tensor& d) {
    PX_RETURN_IF_ERROR(check_scalar(s, "start", s.dtype()));
    PX_RETURN_IF_ERROR(check_scalar(l, "limit", s.dtype()));
    PX_RETURN_IF_ERROR(check_scalar(d, "delta", s.dtype()));
    int64_t n = 0;
    PX_RETURN_IF_ERROR(visit_range_type(s.dtype(), [&]<typename T>() {
      PX_ASSIGN_OR_RETURN(n, range_length<T>(s.data<T>()[0], l.data<T>()[0], d.data<T>()[0]));
      return Status::ok();
    }));
    return n;
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Range", 11, kMaxOpset, make_kernel<RangeKernel>);

}  // namespace parallax
