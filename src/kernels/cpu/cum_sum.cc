// CumSum: running sum along the axis given by input 1 (scalar), optionally
// exclusive (the element itself left out) and/or reverse.
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class CumSumKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<CumSumKernel>();
    PX_ASSIGN_OR_RETURN(int64_t ex, ctx.attrs().get_int("exclusive", 0));
    PX_ASSIGN_OR_RETURN(int64_t rev, ctx.attrs().get_int("reverse", 0));
    k->exclusive_ = ex != 0;
    k->reverse_ = rev != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return infer_same_as_input0(ctx); }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(auto axes, read_int_list(ctx.input(1)));
    if (axes.size() != 1) return error(StatusCode::kInvalidArgument, "CumSum: axis must be a scalar");
    const int64_t rank = static_cast<int64_t>(x.rank());
    if (rank == 0) return error(StatusCode::kInvalidArgument, "CumSum: input must have rank >= 1");
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axes[0], rank));
    const int64_t n = x.dim(static_cast<size_t>(axis));
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.dim(static_cast<size_t>(i));
    for (int64_t i = axis + 1; i < rank; ++i) inner *= x.dim(static_cast<size_t>(i));
    if (x.numel() == 0) return Status::ok();
    return visit_numeric(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      const bool ex = exclusive_, rev = reverse_;
      parallel_for(ctx.num_threads(), outer, std::max<int64_t>(1, 8192 / (n * inner)), [&](int64_t b, int64_t e) {
        std::vector<T> acc(static_cast<size_t>(inner));
        for (int64_t o = b; o < e; ++o) {
          const T* ib = in + o * n * inner;
          T* ob = out + o * n * inner;
          std::fill(acc.begin(), acc.end(), T(0));
          for (int64_t s = 0; s < n; ++s) {
            int64_t i = rev ? n - 1 - s : s;
            const T* xr = ib + i * inner;
            T* yr = ob + i * inner;
            if (ex) {
              // Integer sums wrap (wrap_add) rather than overflow: undefined behaviour.
              for (int64_t j = 0; j < inner; ++j) {
                yr[j] = acc[j];
                acc[j] = wrap_add(acc[j], xr[j]);
              }
            } else {
              for (int64_t j = 0; j < inner; ++j) {
                acc[j] = wrap_add(acc[j], xr[j]);
                yr[j] = acc[j];
              }
            }
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  bool exclusive_ = false;
  bool reverse_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "CumSum", 11, kMaxOpset, make_kernel<CumSumKernel>);

}  // namespace parallax
