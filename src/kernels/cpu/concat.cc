// Concat: joins inputs along `axis` (default 1 before opset 4, required after).
// Each output row (the dims before axis) is a run of per-input memcpys.
#include <algorithm>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ConcatKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ConcatKernel>();
    if (ctx.opset() < 4) {
      PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 1));
    } else {
      PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis"));
    }
    if (ctx.num_inputs() == 0) return error(StatusCode::kInvalidModel, "Concat needs at least one input");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& first = ctx.input_shape(0);
    const int64_t rank = static_cast<int64_t>(first.size());
    if (rank == 0) return error(StatusCode::kInvalidArgument, "Concat cannot join scalars");
    if (axis_ < -rank || axis_ >= rank)
      return error(StatusCode::kInvalidArgument, "Concat 'axis' ", axis_, " is out of range for rank ", rank);
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
    Shape out = first;
    out[axis] = 0;
    const DataType dt = ctx.input_dtype(0);
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Shape& s = ctx.input_shape(i);
      if (s.size() != first.size())
        return error(StatusCode::kInvalidArgument, "Concat input ", i, " has shape ", shape_to_string(s),
                     ", rank differs from input 0 ", shape_to_string(first));
      for (size_t d = 0; d < s.size(); ++d)
        if (d != axis && s[d] != first[d])
          return error(StatusCode::kInvalidArgument, "Concat input ", i, " has shape ", shape_to_string(s),
                       ", incompatible with input 0 ", shape_to_string(first), " along axis ", axis);
      if (ctx.input_dtype(i) != dt && ctx.input_dtype(i) != DataType::kUndefined && dt != DataType::kUndefined)
        return error(StatusCode::kInvalidArgument, "Concat inputs have different element types");
      out[axis] += s[axis];
    }
    ctx.set_output(0, dt, std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return Status::ok();
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(y.dtype()));
    const int64_t rank = static_cast<int64_t>(y.rank());
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
    const int64_t outer = move::prod(y.shape(), 0, axis);
    const int64_t inner_bytes = move::prod(y.shape(), axis + 1, y.rank()) * static_cast<int64_t>(esize);
    const int64_t out_row = y.shape()[axis] * inner_bytes;
    const size_t n = ctx.num_inputs();
    struct Part {
      const char* src;
      int64_t bytes;
      int64_t offset;
    };
    std::vector<Part> parts;
    int64_t offset = 0;
    for (size_t i = 0; i < n; ++i) {
      const Tensor& x = ctx.input(i);
      if (x.dtype() != y.dtype())
        return error(StatusCode::kInvalidArgument, "Concat input ", i, " has type ", data_type_name(x.dtype()),
                     ", expected ", data_type_name(y.dtype()));
      const int64_t bytes = x.shape()[axis] * inner_bytes;
      if (bytes > 0) parts.push_back({static_cast<const char*>(x.raw()), bytes, offset});
      offset += bytes;
    }
    char* dst = static_cast<char*>(y.raw());
    if (outer == 1) {
      // One row: each part is a single (possibly large) contiguous copy.
      for (const Part& p : parts) move::copy_rows(dst + p.offset, p.bytes, p.src, p.bytes, 1, p.bytes, ctx.num_threads());
      return Status::ok();
    }
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, out_row));
    parallel_for(ctx.num_threads(), outer, grain, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        char* row = dst + o * out_row;
        for (const Part& p : parts) std::memcpy(row + p.offset, p.src + o * p.bytes, static_cast<size_t>(p.bytes));
      }
    });
    return Status::ok();
  }

 private:
  int64_t axis_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "Concat", 1, kMaxOpset, make_kernel<ConcatKernel>);

}  // namespace parallax
