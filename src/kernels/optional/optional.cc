// Optional: an optional holding `input`, or an empty one (of attribute
// `type`) when the input is left out.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class OptionalKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    if (!ctx.has_input(0) && !ctx.attrs().has("type"))
      return error(StatusCode::kInvalidModel, "Optional without an input needs the attribute 'type'");
    return std::unique_ptr<OpKernel>(std::make_unique<OptionalKernel>());
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, ctx.has_input(0) ? ctx.input_dtype(0) : DataType::kNone);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    if (!ctx.has_input(0)) return ctx.set_dynamic_output(0, Tensor::none());
    PX_ASSIGN_OR_RETURN(Tensor value, owned_value(ctx.input(0)));
    return ctx.set_dynamic_output(0, std::move(value));
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Optional", 15, kMaxOpset, make_kernel<OptionalKernel>);

}  // namespace parallax
