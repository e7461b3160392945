// Split: cuts the input along `axis` into the outputs. Part sizes come from
// the `split` attribute (opset < 13; opset 1 also takes it as input 1), the
// optional `split` input (opset >= 13), or an equal split over the outputs
// (`num_outputs` at opset 18: ceil-sized parts, the last one smaller).
#include <algorithm>
#include <optional>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class SplitKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SplitKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 0));
    if (ctx.opset() < 13 && ctx.attrs().has("split")) {
      PX_ASSIGN_OR_RETURN(std::vector<int64_t> s, ctx.attrs().get_ints("split"));
      k->split_attr_ = std::move(s);
    }
    k->split_input_ = (ctx.opset() >= 13 || ctx.opset() == 1) && ctx.has_input(1);
    if (ctx.opset() >= 18 && ctx.attrs().has("num_outputs")) {
      PX_ASSIGN_OR_RETURN(k->num_outputs_, ctx.attrs().get_int("num_outputs"));
      if (k->num_outputs_ < 1) return error(StatusCode::kInvalidModel, "Split 'num_outputs' must be positive");
      if (k->split_input_)
        return error(StatusCode::kInvalidModel, "Split takes either the 'split' input or 'num_outputs', not both");
    }
    if (ctx.num_outputs() == 0) return error(StatusCode::kInvalidModel, "Split needs at least one output");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    std::optional<std::vector<int64_t>> given = split_attr_;
    if (split_input_) {
      const Tensor* t = ctx.input_value(1);
      if (t == nullptr) return ctx.defer();
      PX_ASSIGN_OR_RETURN(given, move::int_list_of(*t, "Split 'split'"));
    }
    const Shape& in = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(in.size()));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, part_sizes(in[axis], given, ctx.num_outputs()));
    for (size_t i = 0; i < ctx.num_outputs(); ++i) {
      if (!ctx.has_output(i)) continue;
      Shape s = in;
      s[axis] = sizes[i];
      ctx.set_output(i, ctx.input_dtype(0), std::move(s));
    }
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    std::optional<std::vector<int64_t>> given = split_attr_;
    if (split_input_) {
      PX_ASSIGN_OR_RETURN(given, move::int_list_of(ctx.input(1), "Split 'split'"));
    }
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(x.rank()));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, part_sizes(x.shape()[axis], given, ctx.num_outputs()));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    const int64_t outer = move::prod(x.shape(), 0, axis);
    const int64_t inner_bytes = move::prod(x.shape(), axis + 1, x.rank()) * static_cast<int64_t>(esize);
    const int64_t in_row = x.shape()[axis] * inner_bytes;
    const char* src = static_cast<const char*>(x.raw());
    int64_t offset = 0;
    for (size_t i = 0; i < ctx.num_outputs(); ++i) {
      const int64_t bytes = sizes[i] * inner_bytes;
      if (ctx.has_output(i)) {
        Tensor& y = ctx.output(i);
        move::copy_rows(y.raw(), bytes, src + offset, in_row, outer, bytes, ctx.num_threads());
      }
      offset += bytes;
    }
    return Status::ok();
  }

 private:
  Result<size_t> axis_for(size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (axis_ < -r || axis_ >= r)
      return error(StatusCode::kInvalidArgument, "Split 'axis' ", axis_, " is out of range for rank ", r);
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

  Result<std::vector<int64_t>> part_sizes(int64_t dim, const std::optional<std::vector<int64_t>>& given,
                                          size_t outputs) const {
    std::vector<int64_t> sizes;
    if (given && !given->empty()) {
      sizes = *given;
      if (sizes.size() != outputs)
        return error(StatusCode::kInvalidArgument, "Split 'split' has ", sizes.size(), " entries for ", outputs,
                     " outputs");
      int64_t total = 0;
      for (int64_t s : sizes) {
        if (s < 0) return error(StatusCode::kInvalidArgument, "Split 'split' has negative size ", s);
        // The sizes are values from the model: their sum may pass int64.
        auto sum = checked_add(total, s);
        if (!sum.is_ok())
          return error(StatusCode::kInvalidArgument, "Split 'split' sizes overflow int64 (size ", s, ")");
        total = sum.value();
      }
      if (total != dim)
        return error(StatusCode::kInvalidArgument, "Split 'split' sums to ", total, " but the axis has size ", dim);
      return sizes;
    }
    const int64_t n = static_cast<int64_t>(outputs);
    if (num_outputs_ > 0) {
      if (num_outputs_ != n)
        return error(StatusCode::kInvalidArgument, "Split 'num_outputs' is ", num_outputs_, " but the node has ", n,
                     " outputs");
      const int64_t part = (dim + n - 1) / n;
      for (int64_t i = 0; i < n; ++i) sizes.push_back(std::max<int64_t>(0, std::min(part, dim - i * part)));
      return sizes;
    }
    if (dim % n != 0)
      return error(StatusCode::kInvalidArgument, "Split cannot divide an axis of size ", dim, " into ", n,
                   " equal parts");
    sizes.assign(outputs, dim / n);
    return sizes;
  }

  int64_t axis_ = 0;
  std::optional<std::vector<int64_t>> split_attr_;
  bool split_input_ = false;
  int64_t num_outputs_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "Split", 1, kMaxOpset, make_kernel<SplitKernel>);

}  // namespace parallax
