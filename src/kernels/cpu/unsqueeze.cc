// Unsqueeze: inserts size-1 dimensions at `axes` (positions in the output).
// axes is an attribute before opset 13 and a required input from 13.
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class UnsqueezeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<UnsqueezeKernel>();
    k->axes_from_input_ = ctx.opset() >= 13;
    if (k->axes_from_input_) {
      if (!ctx.has_input(1)) return error(StatusCode::kInvalidModel, "Unsqueeze needs its 'axes' input");
    } else {
      PX_ASSIGN_OR_RETURN(k->axes_, ctx.attrs().get_ints("axes"));
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    std::vector<int64_t> axes = axes_;
    if (axes_from_input_) {
      const Tensor* t = ctx.input_value(1);
      if (t == nullptr) return ctx.defer();
      PX_ASSIGN_OR_RETURN(axes, move::int_list_of(*t, "Unsqueeze 'axes'"));
    }
    const Shape& in = ctx.input_shape(0);
    const int64_t out_rank = static_cast<int64_t>(in.size() + axes.size());
    std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
    for (int64_t a : axes) {
      if (a < -out_rank || a >= out_rank)
        return error(StatusCode::kInvalidArgument, "Unsqueeze axis ", a, " is out of range for output rank ",
                     out_rank);
      size_t d = static_cast<size_t>(a < 0 ? a + out_rank : a);
      if (inserted[d]) return error(StatusCode::kInvalidArgument, "Unsqueeze axis ", a, " is repeated");
      inserted[d] = true;
    }
    Shape out(static_cast<size_t>(out_rank));
    size_t src = 0;
    for (size_t d = 0; d < out.size(); ++d) out[d] = inserted[d] ? 1 : in[src++];
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override { return move::copy_input_to_output(ctx); }
  bool output_views_input() const override { return true; }

 private:
  bool axes_from_input_ = false;
  std::vector<int64_t> axes_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Unsqueeze", 1, kMaxOpset, make_kernel<UnsqueezeKernel>);

}  // namespace parallax
