// Compress: keeps the slices along `axis` (or elements of the flattened
// input when axis is absent) whose `condition` entry is true. The output
// length depends on the data, so the output is dynamic.
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class CompressKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<CompressKernel>();
    if (ctx.attrs().has("axis")) {
      PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis"));
      k->has_axis_ = true;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (has_axis_) PX_RETURN_IF_ERROR(axis_for(ctx.input_shape(0).size()).status());
    ctx.set_output_dynamic(0, ctx.input_dtype(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& cond = ctx.input(1);
    if (cond.rank() != 1)
      return error(StatusCode::kInvalidArgument, "Compress 'condition' must be 1-D, got ",
                   shape_to_string(cond.shape()));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    size_t axis = 0;
    Shape shape = x.shape();
    if (has_axis_) {
      PX_ASSIGN_OR_RETURN(axis, axis_for(x.rank()));
    } else {
      shape = {x.numel()};
    }
    const int64_t dim = shape[axis];
    // Selected positions along the axis.
    std::vector<int64_t> keep;
    const int64_t n = cond.numel();
    PX_RETURN_IF_ERROR(visit_all(cond.dtype(), [&]<typename C>() {
      const C* c = cond.data<C>();
      for (int64_t i = 0; i < n; ++i) {
        if (!static_cast<bool>(c[i])) continue;
        if (i >= dim)
          return error(StatusCode::kInvalidArgument, "Compress 'condition' selects index ", i,
                       " beyond the axis size ", dim);
        keep.push_back(i);
      }
      return Status::ok();
    }));
    Shape out = shape;
    out[axis] = static_cast<int64_t>(keep.size());
    PX_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out));
    if (y->numel() == 0) return Status::ok();
    const int64_t outer = move::prod(shape, 0, axis);
    const size_t block = static_cast<size_t>(move::prod(shape, axis + 1, shape.size())) * esize;
    const char* src = static_cast<const char*>(x.raw());
    char* dst = static_cast<char*>(y->raw());
    for (int64_t o = 0; o < outer; ++o) {
      const char* row = src + static_cast<size_t>(o * dim) * block;
      for (int64_t k : keep) {
        std::memcpy(dst, row + static_cast<size_t>(k) * block, block);
        dst += block;
      }
    }
    return Status::ok();
  }

 private:
  Result<size_t> axis_for(size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (axis_ < -r || axis_ >= r)
      return error(StatusCode::kInvalidArgument, "Compress 'axis' ", axis_, " is out of range for rank ", r);
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

  bool has_axis_ = false;
  int64_t axis_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "Compress", 9, kMaxOpset, make_kernel<CompressKernel>);

}  // namespace parallax
