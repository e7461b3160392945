// SequenceAt: a copy of the tensor at `position` (negative: from the back).
// A copy, not the item itself: the output may be handed to the caller, who
// may write to it, while the sequence (a constant, a graph input) lives on.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class SequenceAtKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kUndefined);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(const Tensor* seq, sequence_input(ctx, 0));
    const auto length = static_cast<int64_t>(seq->items().size());
    PX_ASSIGN_OR_RETURN(int64_t p, sequence_position(ctx.input(1), length, false));
    PX_ASSIGN_OR_RETURN(Tensor item, owned_item(seq->items()[static_cast<size_t>(p)]));
    return ctx.set_dynamic_output(0, std::move(item));
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "SequenceAt", 11, kMaxOpset, make_kernel<SequenceAtKernel>);

}  // namespace parallax
