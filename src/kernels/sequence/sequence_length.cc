// SequenceLength: how many tensors a sequence holds, as an int64 scalar.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class SequenceLengthKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output(0, DataType::kInt64, {});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(const Tensor* seq, sequence_input(ctx, 0));
    *ctx.output(0).data<int64_t>() = static_cast<int64_t>(seq->items().size());
    return Status::ok();
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "SequenceLength", 11, kMaxOpset, make_kernel<SequenceLengthKernel>);

}  // namespace parallax
