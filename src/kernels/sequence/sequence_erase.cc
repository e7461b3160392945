// SequenceErase: the sequence without the item at `position` (the last one
// when absent). The other items are shared, not copied.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class SequenceEraseKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kSequence);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(const Tensor* seq, sequence_input(ctx, 0));
    const std::span<const Tensor> items = seq->items();
    const auto length = static_cast<int64_t>(items.size());
    if (length == 0) return error(StatusCode::kInvalidArgument, "cannot erase from an empty sequence");
    int64_t p = length - 1;
    if (ctx.has_input(1)) {
      PX_ASSIGN_OR_RETURN(p, sequence_position(ctx.input(1), length, false));
    }
    std::vector<Tensor> out(items.begin(), items.end());
    out.erase(out.begin() + p);
    return ctx.set_dynamic_output(0, Tensor::sequence(seq->element_type(), std::move(out)));
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "SequenceErase", 11, kMaxOpset, make_kernel<SequenceEraseKernel>);

}  // namespace parallax
