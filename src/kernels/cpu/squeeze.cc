// Squeeze: drops size-1 dimensions (the listed `axes`, or all of them).
// axes is an attribute before opset 13 and an optional input from 13.
#include <algorithm>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class SqueezeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SqueezeKernel>();
    k->axes_from_input_ = ctx.opset() >= 13;
    if (!k->axes_from_input_ && ctx.attrs().has("axes")) {
      PX_ASSIGN_OR_RETURN(k->axes_, ctx.attrs().get_ints("axes"));
      k->has_axes_ = true;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    std::vector<int64_t> axes = axes_;
    bool has_axes = has_axes_;
    if (axes_from_input_ && ctx.has_input(1)) {
      const Tensor* t = ctx.input_value(1);
      if (t == nullptr) return ctx.defer();
      PX_ASSIGN_OR_RETURN(axes, move::int_list_of(*t, "Squeeze 'axes'"));
      has_axes = true;
    }
    const Shape& in = ctx.input_shape(0);
    const int64_t rank = static_cast<int64_t>(in.size());
    std::vector<bool> drop(in.size(), false);
    if (!has_axes) {
      for (size_t d = 0; d < in.size(); ++d) drop[d] = in[d] == 1;
    } else {
      for (int64_t a : axes) {
        if (a < -rank || a >= rank)
          return error(StatusCode::kInvalidArgument, "Squeeze axis ", a, " is out of range for rank ", rank);
        size_t d = static_cast<size_t>(a < 0 ? a + rank : a);
        if (in[d] != 1)
          return error(StatusCode::kInvalidArgument, "Squeeze axis ", a, " has size ", in[d], ", not 1, in ",
                       shape_to_string(in));
        drop[d] = true;
      }
    }
    Shape out;
    for (size_t d = 0; d < in.size(); ++d)
      if (!drop[d]) out.push_back(in[d]);
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override { return move::copy_input_to_output(ctx); }
  bool output_views_input() const override { return true; }

 private:
  bool axes_from_input_ = false;
  bool has_axes_ = false;
  std::vector<int64_t> axes_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Squeeze", 1, kMaxOpset, make_kernel<SqueezeKernel>);

}  // namespace parallax
