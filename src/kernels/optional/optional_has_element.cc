// OptionalHasElement: true when the optional holds a value. From opset 18
// the input may be left out (false) or be a plain tensor or sequence (true).
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class OptionalHasElementKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    if (!ctx.has_input(0) && ctx.opset() < 18)
      return error(StatusCode::kInvalidModel, "OptionalHasElement needs an input before opset 18");
    return std::unique_ptr<OpKernel>(std::make_unique<OptionalHasElementKernel>());
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output(0, DataType::kBool, {});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    *ctx.output(0).data<bool>() = ctx.has_input(0) && !ctx.input(0).is_none();
    return Status::ok();
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "OptionalHasElement", 15, kMaxOpset, make_kernel<OptionalHasElementKernel>);

}  // namespace parallax
