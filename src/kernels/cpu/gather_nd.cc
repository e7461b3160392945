// GatherND: each index tuple (last dim of `indices`) picks a slice of data;
// the first `batch_dims` (opset 12) dims of data and indices are shared.
#include <algorithm>
#include <atomic>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class GatherNDKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<GatherNDKernel>();
    if (ctx.opset() >= 12) {
      PX_ASSIGN_OR_RETURN(k->batch_dims_, ctx.attrs().get_int("batch_dims", 0));
    }
    if (k->batch_dims_ < 0) return error(StatusCode::kInvalidModel, "GatherND 'batch_dims' must be >= 0");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(Shape out, output_shape(ctx.input_shape(0), ctx.input_shape(1)));
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(Shape out_shape, output_shape(data.shape(), ind.shape()));
    (void)out_shape;
    if (y.numel() == 0) return Status::ok();
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(data.dtype()));
    const Shape& ds = data.shape();
    const size_t b = static_cast<size_t>(batch_dims_);
    const size_t q = ind.rank();
    const size_t m = static_cast<size_t>(ind.shape()[q - 1]);
    const int64_t batches = move::prod(ds, 0, b);
    const int64_t tuples = move::prod(ind.shape(), b, q - 1);
    const int64_t slice = move::prod(ds, b + m, ds.size());
    const int64_t batch_stride = move::prod(ds, b, ds.size());
    std::vector<int64_t> dim(m), stride(m);
    for (size_t k = 0; k < m; ++k) {
      dim[k] = ds[b + k];
      stride[k] = move::prod(ds, b + k + 1, ds.size());
    }
    const size_t block = static_cast<size_t>(slice) * esize;
    const char* src = static_cast<const char*>(data.raw());
    char* dst = static_cast<char*>(y.raw());
    std::atomic<bool> failed{false};
    int64_t bad = 0;
    PX_RETURN_IF_ERROR(move::visit_index(ind.dtype(), [&]<typename I>() {
      const I* idx = ind.data<I>();
      parallel_for(ctx.num_threads(), batches * tuples, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, slice)),
                   [&](int64_t lo, int64_t hi) {
                     for (int64_t t = lo; t < hi; ++t) {
                       const int64_t bi = t / tuples;
                       int64_t off = bi * batch_stride;
                       const I* tup = idx + t * static_cast<int64_t>(m);
                       for (size_t k = 0; k < m; ++k) {
                         int64_t v = static_cast<int64_t>(tup[k]);
                         if (v < 0) v += dim[k];
                         if (v < 0 || v >= dim[k]) {
                           if (!failed.exchange(true)) bad = static_cast<int64_t>(tup[k]);
                           return;
                         }
                         off += v * stride[k];
                       }
                       std::memcpy(dst + static_cast<size_t>(t) * block, src + static_cast<size_t>(off) * esize, block);
                     }
                   });
      return Status::ok();
    }));
    if (failed) return error(StatusCode::kInvalidArgument, "GatherND index ", bad, " is out of range");
    return Status::ok();
  }

 private:
  Result<Shape> output_shape(const Shape& data, const Shape& ind) const {
    const size_t b = static_cast<size_t>(batch_dims_);
    if (ind.empty()) return error(StatusCode::kInvalidArgument, "GatherND indices must have rank >= 1");
    if (data.empty()) return error(StatusCode::kInvalidArgument, "GatherND data must have rank >= 1");
    if (b >= ind.size() || b >= data.size())
      return error(StatusCode::kInvalidArgument, "GatherND 'batch_dims' ", b, " must be less than both ranks");
    for (size_t d = 0; d < b; ++d)
      if (data[d] != ind[d])
        return error(StatusCode::kInvalidArgument, "GatherND batch dims of data ", shape_to_string(data),
                     " and indices ", shape_to_string(ind), " differ");
    const int64_t m = ind.back();
    if (m < 1 || static_cast<size_t>(m) > data.size() - b)
      return error(StatusCode::kInvalidArgument, "GatherND index tuples of length ", m, " do not fit data ",
                   shape_to_string(data), " with batch_dims ", b);
    Shape out(ind.begin(), ind.end() - 1);
    out.insert(out.end(), data.begin() + static_cast<int64_t>(b) + m, data.end());
    return out;
  }

  int64_t batch_dims_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "GatherND", 11, kMaxOpset, make_kernel<GatherNDKernel>);

}  // namespace parallax
