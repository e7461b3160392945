// Gather: out[o, k, i] = data[o, indices[k], i] along `axis` (negative
// indices wrap). Each (o, k) pair copies one contiguous inner block.
#include <algorithm>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class GatherKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<GatherKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 0));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& data = ctx.input_shape(0);
    const Shape& idx = ctx.input_shape(1);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(data.size()));
    Shape out(data.begin(), data.begin() + static_cast<int64_t>(axis));
    out.insert(out.end(), idx.begin(), idx.end());
    out.insert(out.end(), data.begin() + static_cast<int64_t>(axis) + 1, data.end());
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(data.rank()));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(data.dtype()));
    const int64_t outer = move::prod(data.shape(), 0, axis);
    const int64_t n = data.shape()[axis];
    const int64_t inner = move::prod(data.shape(), axis + 1, data.rank());
    const int64_t k = ind.numel();
    if (y.numel() == 0) return Status::ok();
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> idx, move::read_indices(ind, n, "Gather index"));
    const int64_t items = outer * k;
    if (inner == 1) {
      return visit_by_size(move::bytes_type(esize), [&]<typename T>() {
        const T* src = data.data<T>();
        T* dst = y.data<T>();
        parallel_for(ctx.num_threads(), outer, std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(1, k)),
                     [&](int64_t b, int64_t e) {
                       for (int64_t o = b; o < e; ++o) {
                         const T* row = src + o * n;
                         T* out = dst + o * k;
                         for (int64_t j = 0; j < k; ++j) out[j] = row[idx[static_cast<size_t>(j)]];
                       }
                     });
        return Status::ok();
      });
    }
    const size_t block = static_cast<size_t>(inner) * esize;
    const char* src = static_cast<const char*>(data.raw());
    char* dst = static_cast<char*>(y.raw());
    parallel_for(ctx.num_threads(), items, std::max<int64_t>(1, (int64_t{1} << 15) / static_cast<int64_t>(block)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t it = b; it < e; ++it) {
                     const int64_t o = it / k, j = it - o * k;
                     std::memcpy(dst + static_cast<size_t>(it) * block,
                                 src + static_cast<size_t>(o * n + idx[static_cast<size_t>(j)]) * block, block);
                   }
                 });
    return Status::ok();
  }

 private:
  Result<size_t> axis_for(size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (r == 0) return error(StatusCode::kInvalidArgument, "Gather needs data of rank >= 1");
    if (axis_ < -r || axis_ >= r)
      return error(StatusCode::kInvalidArgument, "Gather 'axis' ", axis_, " is out of range for rank ", r);
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

  int64_t axis_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "Gather", 1, kMaxOpset, make_kernel<GatherKernel>);

}  // namespace parallax
