// Relu: max(x, 0).
#include <algorithm>

#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ReluKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override { return infer_same_as_input0(ctx); }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    return visit_numeric(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      parallel_for(ctx.num_threads(), x.numel(), 1 << 14, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) out[i] = std::max(in[i], T(0));
      });
      return Status::ok();
    });
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Relu", 1, kMaxOpset, make_kernel<ReluKernel>);

}  // namespace parallax
