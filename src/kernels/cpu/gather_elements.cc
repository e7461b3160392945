// GatherElements: out[i] = data[i with coordinate `axis` replaced by indices[i]].
#include <atomic>

#include "core/status_macros.h"
#include "kernels/cpu/elements_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class GatherElementsKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<GatherElementsKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 0));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& data = ctx.input_shape(0);
    const Shape& ind = ctx.input_shape(1);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(data.size()));
    PX_RETURN_IF_ERROR(move::check_element_shapes("GatherElements", data, ind, axis));
    ctx.set_output(0, ctx.input_dtype(0), ind);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(data.rank()));
    PX_RETURN_IF_ERROR(move::check_element_shapes("GatherElements", data.shape(), ind.shape(), axis));
    if (ind.numel() == 0) return Status::ok();
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(data.dtype()));
    const int64_t rows = ind.numel() / ind.shape().back();
    std::atomic<bool> failed{false};
    int64_t bad = 0;
    Status s = move::visit_index(ind.dtype(), [&]<typename I>() {
      return visit_by_size(move::bytes_type(esize), [&]<typename T>() {
        const T* src = data.data<T>();
        T* dst = y.data<T>();
        const I* idx = ind.data<I>();
        parallel_for(ctx.num_threads(), rows, std::max<int64_t>(1, 16384 / ind.shape().back()),
                     [&](int64_t b, int64_t e) {
                       int64_t local_bad = 0;
                       if (!move::walk_elements(data.shape(), ind.shape(), idx, axis, b, e, &local_bad,
                                                [&](int64_t i, int64_t off) { dst[i] = src[off]; })) {
                         if (!failed.exchange(true)) bad = local_bad;
                       }
                     });
        return Status::ok();
      });
    });
    PX_RETURN_IF_ERROR(s);
    if (failed)
      return error(StatusCode::kInvalidArgument, "GatherElements index ", bad, " is out of range for axis ", axis,
                   " of size ", data.shape()[axis]);
    return Status::ok();
  }

 private:
  Result<size_t> axis_for(size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (r == 0) return error(StatusCode::kInvalidArgument, "GatherElements needs data of rank >= 1");
    if (axis_ < -r || axis_ >= r)
      return error(StatusCode::kInvalidArgument, "GatherElements 'axis' ", axis_, " is out of range for rank ", r);
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

  int64_t axis_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "GatherElements", 11, kMaxOpset, make_kernel<GatherElementsKernel>);

}  // namespace parallax
