// ConcatFromSequence: a sequence's tensors joined along `axis`, or stacked
// along a new one when new_axis = 1 (then axis may be rank, one past the end).
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class ConcatFromSequenceKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ConcatFromSequenceKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis"));
    PX_ASSIGN_OR_RETURN(int64_t new_axis, ctx.attrs().get_int("new_axis", 0));
    k->new_axis_ = new_axis != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kUndefined);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(const Tensor* seq, sequence_input(ctx, 0));
    const std::span<const Tensor> items = seq->items();
    if (items.empty()) return error(StatusCode::kInvalidArgument, "cannot concatenate an empty sequence");
    if (!new_axis_) {
      PX_ASSIGN_OR_RETURN(Tensor joined, concat_items(items, axis_));
      return ctx.set_dynamic_output(0, std::move(joined));
    }
    // Stacking is joining items that have a new axis of 1 (same bytes).
    const auto rank = static_cast<int64_t>(items.front().rank());
    PX_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axis_, rank + 1));
    std::vector<Tensor> widened;
    widened.reserve(items.size());
    for (const Tensor& t : items) {
      if (static_cast<int64_t>(t.rank()) != rank)
        return error(StatusCode::kInvalidArgument, "items of ranks ", rank, " and ", t.rank(), " cannot be stacked");
      Shape shape = t.shape();
      shape.insert(shape.begin() + a, 1);
      widened.push_back(t.reshaped(std::move(shape)));
    }
    PX_ASSIGN_OR_RETURN(Tensor stacked, concat_items(widened, a));
    return ctx.set_dynamic_output(0, std::move(stacked));
  }

  bool accepts_non_tensor(size_t input) const override { return input == 0; }

 private:
  int64_t axis_ = 0;
  bool new_axis_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "ConcatFromSequence", 11, kMaxOpset, make_kernel<ConcatFromSequenceKernel>);

}  // namespace parallax
