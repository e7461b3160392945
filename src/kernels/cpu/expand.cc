// Expand: broadcasts the input to the shape given by the second input's
// value (numpy multidirectional: the result is broadcast(input, shape)).
// The shape must be known to plan; when it is computed at run time, infer
// defers.
#include "core/status_macros.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ExpandKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    if (!is_supported(ctx.input_dtype(0))) return unsupported_type("Expand", ctx.input_dtype(0));
    const Tensor* shape = ctx.input_value(1);
    if (shape == nullptr) return ctx.defer();
    PX_ASSIGN_OR_RETURN(Shape out, target_shape(ctx.input_shape(0), *shape));
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(y.shape(), {x.shape()}));
    return visit_by_size(x.dtype(), [&]<typename T>() -> Status {
      broadcast_copy(plan, x.data<T>(), y.data<T>(), ctx.num_threads());
      return Status::ok();
    });
  }

 private:
  static Result<Shape> target_shape(const Shape& in, const Tensor& shape) {
    if (shape.rank() > 1)
      return error(StatusCode::kInvalidArgument, "Expand: shape must be 1-D, got rank ", shape.rank());
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> dims, read_int_list(shape));
    for (int64_t d : dims)
      if (d < 0) return error(StatusCode::kInvalidArgument, "Expand: negative dimension ", d, " in shape");
    return broadcast_shapes(in, Shape(dims.begin(), dims.end()));
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Expand", 8, kMaxOpset, make_kernel<ExpandKernel>);

}  // namespace parallax
