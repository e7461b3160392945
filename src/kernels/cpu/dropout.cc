// Dropout at inference: output = input, and the optional mask output is all
// "kept" (bool true from opset 10; before that the mask has the input's type
// and holds 1). From opset 12 ratio and training_mode are optional inputs;
// training_mode = true with a nonzero ratio (random dropping) is not
// supported by this inference runtime.
#include <algorithm>
#include <cstring>

#include "core/status_macros.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class DropoutKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<DropoutKernel>();
    k->opset_ = ctx.opset();
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    DataType t = ctx.input_dtype(0);
    if (!is_supported(t)) return unsupported_type("Dropout", t);
    ctx.set_output(0, t, ctx.input_shape(0));
    if (ctx.has_output(1)) ctx.set_output(1, mask_type(t), ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    if (opset_ >= 12 && ctx.has_input(2)) {
      PX_ASSIGN_OR_RETURN(double training, read_scalar(ctx.input(2)));
      double ratio = 0.5;
      if (ctx.has_input(1)) {
        PX_ASSIGN_OR_RETURN(ratio, read_scalar(ctx.input(1)));
      }
      if (training != 0 && ratio != 0)
        return error(StatusCode::kUnsupported, "Dropout: training_mode=true with ratio ", ratio,
                     " (random dropping) is not supported");
    }
    Tensor& y = ctx.output(0);
    if (y.raw() != x.raw() && x.nbytes() > 0) std::memcpy(y.raw(), x.raw(), x.nbytes());
    if (ctx.has_output(1)) {
      Tensor& mask = ctx.output(1);
      return visit_all(mask.dtype(), [&]<typename T>() -> Status {
        std::fill_n(mask.data<T>(), mask.numel(), T(1));
        return Status::ok();
      });
    }
    return Status::ok();
  }

 private:
  DataType mask_type(DataType input) const { return opset_ >= 10 ? DataType::kBool : input; }

  int opset_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "Dropout", 1, kMaxOpset, make_kernel<DropoutKernel>);

}  // namespace parallax
