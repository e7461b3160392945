// Size: the input's element count as an int64 scalar.
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class SizeKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output(0, DataType::kInt64, {});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    ctx.output(0).data<int64_t>()[0] = ctx.input(0).numel();
    return Status::ok();
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Size", 1, kMaxOpset, make_kernel<SizeKernel>);

}  // namespace parallax
