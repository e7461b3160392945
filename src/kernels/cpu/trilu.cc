// Trilu: keeps the upper (j >= i + k) or lower (j <= i + k) triangle of each
// matrix in the last two dims and zeroes the rest; k is optional input 1.
#include <algorithm>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class TriluKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<TriluKernel>();
    PX_ASSIGN_OR_RETURN(int64_t upper, ctx.attrs().get_int("upper", 1));
    k->upper_ = upper != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (ctx.input_shape(0).size() < 2)
      return error(StatusCode::kInvalidArgument, "Trilu needs an input of rank >= 2, got ",
                   shape_to_string(ctx.input_shape(0)));
    return infer_same_as_input0(ctx);
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    int64_t k = 0;
    if (ctx.has_input(1)) {
      PX_ASSIGN_OR_RETURN(std::vector<int64_t> kv, move::int_list_of(ctx.input(1), "Trilu 'k'"));
      if (kv.size() != 1) return error(StatusCode::kInvalidArgument, "Trilu 'k' must be a scalar");
      k = kv[0];
    }
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    if (x.numel() == 0) return Status::ok();
    const size_t R = x.rank();
    const int64_t rows = x.shape()[R - 2], cols = x.shape()[R - 1];
    const int64_t all_rows = x.numel() / cols;
    const size_t e = esize;
    const char* src = static_cast<const char*>(x.raw());
    char* dst = static_cast<char*>(y.raw());
    parallel_for(ctx.num_threads(), all_rows, std::max<int64_t>(1, 16384 / cols), [&](int64_t b, int64_t end) {
      for (int64_t r = b; r < end; ++r) {
        const int64_t i = r % rows;
        // Kept columns [lo, hi).
        int64_t lo, hi;
        if (upper_) {
          lo = std::clamp<int64_t>(i + std::clamp<int64_t>(k, -cols - rows, cols + rows), 0, cols);
          hi = cols;
        } else {
          lo = 0;
          hi = std::clamp<int64_t>(i + std::clamp<int64_t>(k, -cols - rows, cols + rows) + 1, 0, cols);
        }
        char* o = dst + static_cast<size_t>(r * cols) * e;
        const char* s = src + static_cast<size_t>(r * cols) * e;
        if (lo > 0) std::memset(o, 0, static_cast<size_t>(lo) * e);
        if (hi > lo) move::copy_bytes(o + lo * e, s + lo * e, static_cast<size_t>(hi - lo) * e);
        if (hi < cols) std::memset(o + hi * e, 0, static_cast<size_t>(cols - hi) * e);
      }
    });
    return Status::ok();
  }

 private:
  bool upper_ = true;
};

}  // namespace

PX_REGISTER_KERNEL("", "Trilu", 14, kMaxOpset, make_kernel<TriluKernel>);

}  // namespace parallax
