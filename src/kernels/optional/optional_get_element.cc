// OptionalGetElement: the value an optional holds; an error when it is
// empty. From opset 18 a plain tensor or sequence is its own value.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class OptionalGetElementKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, ctx.input_dtype(0) == DataType::kNone ? DataType::kUndefined : ctx.input_dtype(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    if (x.is_none()) return error(StatusCode::kInvalidArgument, "the optional is empty");
    PX_ASSIGN_OR_RETURN(Tensor value, owned_value(x));
    return ctx.set_dynamic_output(0, std::move(value));
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "OptionalGetElement", 15, kMaxOpset, make_kernel<OptionalGetElementKernel>);

}  // namespace parallax
