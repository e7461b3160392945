// OneHot: inserts a `depth`-long axis at `axis` holding values[1] where the
// index matches and values[0] elsewhere. Negative indices count from the end
// (opset 11); out-of-range indices give an all-off row.
#include <algorithm>
#include <cmath>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class OneHotKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<OneHotKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", -1));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* d = ctx.input_value(1);
    if (d == nullptr) return ctx.defer();
    PX_ASSIGN_OR_RETURN(int64_t depth, depth_of(*d));
    const Shape& in = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(in.size()));
    Shape out = in;
    out.insert(out.begin() + static_cast<int64_t>(axis), depth);
    ctx.set_output(0, ctx.input_dtype(2), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& ind = ctx.input(0);
    const Tensor& values = ctx.input(2);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(int64_t depth, depth_of(ctx.input(1)));
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(ind.rank()));
    if (values.numel() != 2)
      return error(StatusCode::kInvalidArgument, "OneHot 'values' must hold 2 elements, it has ", values.numel());
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(values.dtype()));
    if (y.numel() == 0) return Status::ok();
    const int64_t outer = move::prod(ind.shape(), 0, axis);
    const int64_t inner = move::prod(ind.shape(), axis, ind.rank());
    // Indices as int64 (any numeric type; fractional values truncate).
    std::vector<int64_t> idx(static_cast<size_t>(ind.numel()));
    PX_RETURN_IF_ERROR(visit_numeric(ind.dtype(), [&]<typename I>() {
      const I* p = ind.data<I>();
      for (size_t i = 0; i < idx.size(); ++i) {
        int64_t v;
        if constexpr (std::is_floating_point_v<I>) {
          // NaN, infinite and huge values are off every row (their int64 conversion is undefined).
          v = std::fabs(static_cast<double>(p[i])) < 9.0e18 ? static_cast<int64_t>(p[i]) : depth;
        } else {
          v = static_cast<int64_t>(p[i]);
        }
        if (v < 0) v += depth;
        idx[i] = v;
      }
      return Status::ok();
    }));
    return visit_by_size(move::bytes_type(esize), [&]<typename T>() {
      const T off = values.data<T>()[0], on = values.data<T>()[1];
      T* out = y.data<T>();
      std::fill(out, out + y.numel(), off);
      for (int64_t o = 0; o < outer; ++o) {
        T* block = out + o * depth * inner;
        const int64_t* ip = idx.data() + o * inner;
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t v = ip[i];
          if (v >= 0 && v < depth) block[v * inner + i] = on;
        }
      }
      return Status::ok();
    });
  }

 private:
  static Result<int64_t> depth_of(const Tensor& t) {
    PX_ASSIGN_OR_RETURN(double d, read_scalar(t));
    if (!(d >= 1) || d > 9.0e18) return error(StatusCode::kInvalidArgument, "OneHot 'depth' must be >= 1, got ", d);
    return static_cast<int64_t>(d);
  }

  Result<size_t> axis_for(size_t in_rank) const {
    const int64_t r = static_cast<int64_t>(in_rank) + 1;
    if (axis_ < -r || axis_ >= r)
      return error(StatusCode::kInvalidArgument, "OneHot 'axis' ", axis_, " is out of range for output rank ", r);
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

  int64_t axis_ = -1;
};

}  // namespace

PX_REGISTER_KERNEL("", "OneHot", 9, kMaxOpset, make_kernel<OneHotKernel>);

}  // namespace parallax
