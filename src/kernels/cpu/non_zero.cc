// NonZero: the coordinates of the non-zero elements, as int64 [rank, count]
// in row-major order (a scalar counts as rank 1). The output is dynamic.
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class NonZeroKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kInt64);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
    const size_t R = shape.size();
    const int64_t n = x.numel();
    return visit_all(x.dtype(), [&]<typename T>() {
      const T* p = x.data<T>();
      int64_t count = 0;
      for (int64_t i = 0; i < n; ++i) count += p[i] != T(0) ? 1 : 0;
      PX_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt64, {static_cast<int64_t>(R), count}));
      if (count == 0) return Status::ok();
      int64_t* out = y->data<int64_t>();
      std::vector<int64_t> idx(R, 0);
      int64_t k = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (p[i] != T(0)) {
          for (size_t d = 0; d < R; ++d) out[static_cast<int64_t>(d) * count + k] = idx[d];
          ++k;
        }
        for (size_t d = R; d-- > 0;) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
      return Status::ok();
    });
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "NonZero", 9, kMaxOpset, make_kernel<NonZeroKernel>);

}  // namespace parallax
