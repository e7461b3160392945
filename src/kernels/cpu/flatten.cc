// Flatten: [d0..d(axis-1), d(axis)..] -> [prod(before), prod(after)].
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class FlattenKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<FlattenKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 1));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& in = ctx.input_shape(0);
    const int64_t rank = static_cast<int64_t>(in.size());
    int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis > rank)
      return error(StatusCode::kInvalidArgument, "Flatten 'axis' ", axis_, " is out of range for rank ", rank);
    const size_t a = static_cast<size_t>(axis);
    ctx.set_output(0, ctx.input_dtype(0), {move::prod(in, 0, a), move::prod(in, a, in.size())});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override { return move::copy_input_to_output(ctx); }
  bool output_views_input() const override { return true; }

 private:
  int64_t axis_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "Flatten", 1, kMaxOpset, make_kernel<FlattenKernel>);

}  // namespace parallax
