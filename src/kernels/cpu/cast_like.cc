// CastLike: converts input 0 to the element type of input 1 (whose values
// are ignored); conversion rules in cast_ops.h.
#include "kernels/cpu/cast_ops.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class CastLikeKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    DataType from = ctx.input_dtype(0), to = ctx.input_dtype(1);
    if (!cast_supported(from, to))
      return error(StatusCode::kUnsupported, "CastLike from ", data_type_name(from), " to ", data_type_name(to),
                   " is not supported");
    ctx.set_output(0, to, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override { return cast_tensor(ctx.input(0), ctx.output(0), ctx.num_threads()); }
};

}  // namespace

PX_REGISTER_KERNEL("", "CastLike", 15, kMaxOpset, make_kernel<CastLikeKernel>);

}  // namespace parallax
