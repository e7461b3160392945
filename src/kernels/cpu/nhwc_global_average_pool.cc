// com.parallax.NhwcGlobalAveragePool: [N,H,W,C] -> [N,1,1,C], the mean over
// H and W; the inner loop runs over contiguous channels.
#include <vector>

#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class NhwcGlobalAveragePoolKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    if (x.size() != 4) return error(StatusCode::kInvalidArgument, "X must be [N,H,W,C], got ", shape_to_string(x));
    if (ctx.input_dtype(0) != DataType::kFloat32) return error(StatusCode::kUnsupported, "float32 only");
    ctx.set_output(0, DataType::kFloat32, {x[0], 1, 1, x[3]});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const int64_t n = x.dim(0), hw = x.dim(1) * x.dim(2), c = x.dim(3);
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    const float scale = hw > 0 ? 1.0f / static_cast<float>(hw) : 0.0f;
    for (int64_t b = 0; b < n; ++b) {
      float* o = out + b * c;
      for (int64_t k = 0; k < c; ++k) o[k] = 0.0f;
      for (int64_t p = 0; p < hw; ++p) {
        const float* row = in + (b * hw + p) * c;
        for (int64_t k = 0; k < c; ++k) o[k] += row[k];
      }
      for (int64_t k = 0; k < c; ++k) o[k] *= scale;
    }
    return Status::ok();
  }
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "NhwcGlobalAveragePool", 1, kMaxOpset, make_kernel<NhwcGlobalAveragePoolKernel>);

}  // namespace parallax
