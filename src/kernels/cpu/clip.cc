// Clip: min(max(x, lo), hi). Opsets before 11 take lo/hi from the float
// attributes min/max; from 11 they are optional scalar inputs 1 and 2 of
// x's type. A missing bound does not clip. NaN inputs stay NaN.
#include <limits>

#include "core/status_macros.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ClipKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ClipKernel>();
    k->opset_ = ctx.opset();
    if (k->opset_ < 11) {
      if (ctx.attrs().has("min")) {
        PX_ASSIGN_OR_RETURN(float v, ctx.attrs().get_float("min"));
        k->attr_min_ = v;
      }
      if (ctx.attrs().has("max")) {
        PX_ASSIGN_OR_RETURN(float v, ctx.attrs().get_float("max"));
        k->attr_max_ = v;
      }
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    DataType t = ctx.input_dtype(0);
    PX_RETURN_IF_ERROR(check_type(t));
    for (size_t i = 1; i < 3; ++i) {
      if (opset_ >= 11 && ctx.has_input(i) && ctx.input_dtype(i) != t)
        return error(StatusCode::kInvalidArgument, "Clip: bound input ", i, " has type ",
                     data_type_name(ctx.input_dtype(i)), ", expected ", data_type_name(t));
    }
    ctx.set_output(0, t, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    PX_RETURN_IF_ERROR(check_type(x.dtype()));
    return visit_numeric(x.dtype(), [&]<typename T>() -> Status {
      T lo = std::numeric_limits<T>::lowest();
      T hi = std::numeric_limits<T>::max();
      if (opset_ < 11) {
        if (attr_min_) lo = static_cast<T>(*attr_min_);
        if (attr_max_) hi = static_cast<T>(*attr_max_);
      } else {
        PX_RETURN_IF_ERROR(read_bound<T>(ctx, 1, lo));
        PX_RETURN_IF_ERROR(read_bound<T>(ctx, 2, hi));
      }
      const T* in = x.data<T>();
      T* out = y.data<T>();
      parallel_for(ctx.num_threads(), x.numel(), 1 << 15, [&](int64_t b, int64_t e) {
        const T l = lo, h = hi;
        for (int64_t i = b; i < e; ++i) {
          T v = in[i] < l ? l : in[i];
          out[i] = v > h ? h : v;
        }
      });
      return Status::ok();
    });
  }

 private:
  template <class T>
  static Status read_bound(ComputeContext& ctx, size_t i, T& bound) {
    if (!ctx.has_input(i)) return Status::ok();
    const Tensor& t = ctx.input(i);
    if (t.numel() == 0) return Status::ok();
    if (t.numel() != 1)
      return error(StatusCode::kInvalidArgument, "Clip: bound input ", i, " must be a scalar, got shape ",
                   shape_to_string(t.shape()));
    if (t.dtype() != data_type_of<T>())
      return error(StatusCode::kInvalidArgument, "Clip: bound input ", i, " has type ", data_type_name(t.dtype()),
                   ", expected ", data_type_name(data_type_of<T>()));
    bound = t.data<T>()[0];
    return Status::ok();
  }

  Status check_type(DataType t) const {
    bool ok = t == DataType::kFloat32 || t == DataType::kFloat64;
    if (opset_ >= 12) ok = ok || (is_supported(t) && t != DataType::kBool);
    return ok ? Status::ok() : unsupported_type("Clip", t);
  }

  int opset_ = 0;
  std::optional<float> attr_min_, attr_max_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Clip", 1, kMaxOpset, make_kernel<ClipKernel>);

}  // namespace parallax
