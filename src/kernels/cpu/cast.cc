// Cast: converts the input to the element type named by attribute `to`
// (conversion rules in cast_ops.h).
#include "core/status_macros.h"
#include "kernels/cpu/cast_ops.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class CastKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<CastKernel>();
    PX_ASSIGN_OR_RETURN(k->to_, read_cast_target(ctx));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (!cast_supported(ctx.input_dtype(0), to_))
      return error(StatusCode::kUnsupported, "Cast from ", data_type_name(ctx.input_dtype(0)), " to ",
                   data_type_name(to_), " is not supported");
    ctx.set_output(0, to_, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override { return cast_tensor(ctx.input(0), ctx.output(0), ctx.num_threads()); }

 private:
  DataType to_ = DataType::kUndefined;
};

}  // namespace

PX_REGISTER_KERNEL("", "Cast", 1, kMaxOpset, make_kernel<CastKernel>);

}  // namespace parallax
