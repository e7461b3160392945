// Slice: takes starts/ends/axes/steps (attributes before opset 10, inputs
// from 10; steps may be negative) and copies the selected box. Indices are
// clamped as the spec says; rows contiguous in the input become memcpys.
#include <algorithm>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

struct SlicePlan {
  Shape out_shape;
  int64_t base = 0;              // element offset of the first selected element
  std::vector<int64_t> strides;  // element stride of each output dim in the input
};

Result<SlicePlan> plan_slice(const Shape& in, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                             const std::vector<int64_t>* axes_in, const std::vector<int64_t>* steps_in) {
  const size_t n = starts.size();
  if (ends.size() != n)
    return error(StatusCode::kInvalidArgument, "Slice 'starts' has ", n, " entries but 'ends' has ", ends.size());
  if (axes_in && axes_in->size() != n)
    return error(StatusCode::kInvalidArgument, "Slice 'axes' has ", axes_in->size(), " entries, expected ", n);
  if (steps_in && steps_in->size() != n)
    return error(StatusCode::kInvalidArgument, "Slice 'steps' has ", steps_in->size(), " entries, expected ", n);
  const int64_t rank = static_cast<int64_t>(in.size());
  const std::vector<int64_t> in_strides = strides_of(in);
  SlicePlan p;
  p.out_shape = in;
  p.strides = in_strides;
  std::vector<bool> seen(in.size(), false);
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes_in ? (*axes_in)[i] : static_cast<int64_t>(i);
    if (axis < -rank || axis >= rank)
      return error(StatusCode::kInvalidArgument, "Slice axis ", axis, " is out of range for rank ", rank);
    if (axis < 0) axis += rank;
    const size_t d = static_cast<size_t>(axis);
    if (seen[d]) return error(StatusCode::kInvalidArgument, "Slice axis ", axis, " is repeated");
    seen[d] = true;
    const int64_t step = steps_in ? (*steps_in)[i] : 1;
    if (step == 0) return error(StatusCode::kInvalidArgument, "Slice step on axis ", axis, " is 0");
    const int64_t dim = in[d];
    int64_t start = starts[i], end = ends[i];
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    int64_t len = 0;
    if (dim == 0) {
      len = 0;
    } else if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      len = end > start ? (end - start - 1) / step + 1 : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      // Divide by -step without negating INT64_MIN.
      len = start > end ? (end - start + 1) / step + 1 : 0;
    }
    p.out_shape[d] = len;
    if (len > 0) p.base += start * in_strides[d];
    p.strides[d] = len > 1 ? in_strides[d] * step : in_strides[d];
  }
  return p;
}

class SliceKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SliceKernel>();
    k->from_attrs_ = ctx.opset() < 10;
    if (k->from_attrs_) {
      PX_ASSIGN_OR_RETURN(k->starts_, ctx.attrs().get_ints("starts"));
      PX_ASSIGN_OR_RETURN(k->ends_, ctx.attrs().get_ints("ends"));
      if (ctx.attrs().has("axes")) {
        PX_ASSIGN_OR_RETURN(k->axes_, ctx.attrs().get_ints("axes"));
        k->has_axes_ = true;
      }
    } else if (!ctx.has_input(1) || !ctx.has_input(2)) {
      return error(StatusCode::kInvalidModel, "Slice needs its 'starts' and 'ends' inputs");
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (from_attrs_) {
      PX_ASSIGN_OR_RETURN(SlicePlan p,
                          plan_slice(ctx.input_shape(0), starts_, ends_, has_axes_ ? &axes_ : nullptr, nullptr));
      ctx.set_output(0, ctx.input_dtype(0), std::move(p.out_shape));
      return Status::ok();
    }
    std::vector<const Tensor*> v(5, nullptr);
    for (size_t i = 1; i < 5; ++i) {
      if (!ctx.has_input(i)) continue;
      v[i] = ctx.input_value(i);
      if (v[i] == nullptr) return ctx.defer();
    }
    PX_ASSIGN_OR_RETURN(SlicePlan p, plan_from_inputs(ctx.input_shape(0), v));
    ctx.set_output(0, ctx.input_dtype(0), std::move(p.out_shape));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    SlicePlan p;
    if (from_attrs_) {
      PX_ASSIGN_OR_RETURN(p, plan_slice(x.shape(), starts_, ends_, has_axes_ ? &axes_ : nullptr, nullptr));
    } else {
      std::vector<const Tensor*> v(5, nullptr);
      for (size_t i = 1; i < 5; ++i)
        if (ctx.has_input(i)) v[i] = &ctx.input(i);
      PX_ASSIGN_OR_RETURN(p, plan_from_inputs(x.shape(), v));
    }
    Tensor& y = ctx.output(0);
    if (y.shape() != p.out_shape)
      return error(StatusCode::kInternal, "Slice output shape ", shape_to_string(y.shape()), " differs from ",
                   shape_to_string(p.out_shape));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    return move::strided_copy(x.raw(), p.base, p.strides, y.raw(), p.out_shape, esize, ctx.num_threads());
  }

 private:
  static Result<SlicePlan> plan_from_inputs(const Shape& in, const std::vector<const Tensor*>& v) {
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> starts, move::int_list_of(*v[1], "Slice 'starts'"));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> ends, move::int_list_of(*v[2], "Slice 'ends'"));
    std::vector<int64_t> axes, steps;
    if (v[3]) {
      PX_ASSIGN_OR_RETURN(axes, move::int_list_of(*v[3], "Slice 'axes'"));
    }
    if (v[4]) {
      PX_ASSIGN_OR_RETURN(steps, move::int_list_of(*v[4], "Slice 'steps'"));
    }
    return plan_slice(in, starts, ends, v[3] ? &axes : nullptr, v[4] ? &steps : nullptr);
  }

  bool from_attrs_ = false;
  bool has_axes_ = false;
  std::vector<int64_t> starts_, ends_, axes_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Slice", 1, kMaxOpset, make_kernel<SliceKernel>);

}  // namespace parallax
