// SequenceConstruct: a sequence of its inputs, in order, all of one type.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class SequenceConstructKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    if (ctx.num_inputs() == 0) return error(StatusCode::kInvalidModel, "SequenceConstruct needs at least one input");
    return std::unique_ptr<OpKernel>(std::make_unique<SequenceConstructKernel>());
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kSequence);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    std::vector<Tensor> items;
    DataType element = DataType::kUndefined;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) return error(StatusCode::kInvalidArgument, "input ", i, " is missing");
      PX_ASSIGN_OR_RETURN(element, joined_element_type(element, ctx.input(i)));
      PX_ASSIGN_OR_RETURN(Tensor item, owned_item(ctx.input(i)));
      items.push_back(std::move(item));
    }
    return ctx.set_dynamic_output(0, Tensor::sequence(element, std::move(items)));
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "SequenceConstruct", 11, kMaxOpset, make_kernel<SequenceConstructKernel>);

}  // namespace parallax
