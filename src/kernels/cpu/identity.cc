// Identity: copies the input tensor (any supported element type), or hands a
// sequence (whose items are never changed) or an empty optional on as it is.
#include <cstring>

#include "kernels/cpu/elementwise_common.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class IdentityKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    if (ctx.input_dtype(0) == DataType::kSequence || ctx.input_dtype(0) == DataType::kNone) {
      ctx.set_output_dynamic(0, ctx.input_dtype(0));
      return Status::ok();
    }
    if (!is_supported(ctx.input_dtype(0))) return unsupported_type("Identity", ctx.input_dtype(0));
    return infer_same_as_input0(ctx);
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    if (x.is_sequence() || x.is_none()) return ctx.set_dynamic_output(0, x);
    Tensor& y = ctx.output(0);
    if (y.raw() != x.raw() && x.nbytes() > 0) std::memcpy(y.raw(), x.raw(), x.nbytes());
    return Status::ok();
  }
  bool output_views_input() const override { return true; }
  bool accepts_non_tensor(size_t input) const override { return input == 0; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Identity", 1, kMaxOpset, make_kernel<IdentityKernel>);

}  // namespace parallax
