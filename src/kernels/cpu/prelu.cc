// PRelu: x < 0 ? slope * x : x, with slope broadcast to x's shape
// (unidirectional: the output always has x's shape). Before opset 7 a 1-D
// slope of length C applied per channel (dim 1); that form is kept.
#include "core/status_macros.h"
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct PReluFn {
  template <class T> T operator()(T x, T s) const { return x < T(0) ? wrap_mul(s, x) : x; }
};

class PReluKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<PReluKernel>();
    k->opset_ = ctx.opset();
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_RETURN_IF_ERROR(check_types(ctx.input_dtype(0), ctx.input_dtype(1)));
    PX_ASSIGN_OR_RETURN(Shape ss, slope_shape(ctx.input_shape(0), ctx.input_shape(1)));
    (void)ss;
    ctx.set_output(0, ctx.input_dtype(0), ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    Tensor& y = ctx.output(0);
    PX_RETURN_IF_ERROR(check_types(x.dtype(), s.dtype()));
    PX_ASSIGN_OR_RETURN(Shape ss, slope_shape(x.shape(), s.shape()));
    PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(x.shape(), {x.shape(), ss}));
    return visit_numeric(x.dtype(), [&]<typename T>() -> Status {
      if constexpr (kIsSignedNumeric<T>) {
        broadcast_binary(plan, x.data<T>(), s.data<T>(), y.data<T>(), PReluFn{}, ctx.num_threads());
        return Status::ok();
      } else {
        return unsupported_type("PRelu", x.dtype());
      }
    });
  }

 private:
  Result<Shape> slope_shape(const Shape& x, const Shape& s) const {
    Shape out = s;
    if (opset_ < 7 && s.size() == 1 && x.size() >= 2 && s[0] != 1 && s[0] == x[1]) {
      out.assign(x.size() - 1, 1);
      out[0] = s[0];
    }
    auto b = broadcast_shapes(x, out);
    if (!b.is_ok() || b.value() != x)
      return error(StatusCode::kInvalidArgument, "PRelu: slope of shape ", shape_to_string(s),
                   " cannot be broadcast to X of shape ", shape_to_string(x));
    return out;
  }

  static Status check_types(DataType x, DataType s) {
    if (x != s)
      return error(StatusCode::kInvalidArgument, "PRelu: X and slope have different element types ",
                   data_type_name(x), " and ", data_type_name(s));
    return visit_numeric(x, [&]<typename T>() -> Status {
      if constexpr (kIsSignedNumeric<T>) return Status::ok();
      else return unsupported_type("PRelu", x);
    });
  }

  int opset_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "PRelu", 1, kMaxOpset, make_kernel<PReluKernel>);

}  // namespace parallax
