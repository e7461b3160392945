// SequenceInsert: the sequence with `tensor` inserted before `position`
// (at the end when absent). The other items are shared, not copied.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class SequenceInsertKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kSequence);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(const Tensor* seq, sequence_input(ctx, 0));
    if (!ctx.has_input(1)) return error(StatusCode::kInvalidArgument, "input 1 (tensor) is missing");
    const std::span<const Tensor> items = seq->items();
    const auto length = static_cast<int64_t>(items.size());
    PX_RETURN_IF_ERROR(check_sequence_length(length + 1));
    int64_t p = length;
    if (ctx.has_input(2)) {
      PX_ASSIGN_OR_RETURN(p, sequence_position(ctx.input(2), length, true));
    }
    PX_ASSIGN_OR_RETURN(DataType element, joined_element_type(seq->element_type(), ctx.input(1)));
    PX_ASSIGN_OR_RETURN(Tensor inserted, owned_item(ctx.input(1)));
    std::vector<Tensor> out(items.begin(), items.end());
    out.insert(out.begin() + p, std::move(inserted));
    return ctx.set_dynamic_output(0, Tensor::sequence(element, std::move(out)));
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "SequenceInsert", 11, kMaxOpset, make_kernel<SequenceInsertKernel>);

}  // namespace parallax
