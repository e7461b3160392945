// ScatterElements (and its deprecated opset 9-10 alias Scatter): output =
// data, then output[i with `axis` coordinate replaced by indices[i]] =
// updates[i], combined by `reduction` (opset 16: add/mul, 18: max/min).
#include "core/status_macros.h"
#include "kernels/cpu/elements_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ScatterElementsKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ScatterElementsKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 0));
    PX_ASSIGN_OR_RETURN(k->reduction_, move::parse_reduction(ctx, "ScatterElements"));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& data = ctx.input_shape(0);
    const Shape& ind = ctx.input_shape(1);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(data.size()));
    PX_RETURN_IF_ERROR(move::check_element_shapes("ScatterElements", data, ind, axis));
    if (ctx.input_shape(2) != ind)
      return error(StatusCode::kInvalidArgument, "ScatterElements updates ", shape_to_string(ctx.input_shape(2)),
                   " must have the shape of indices ", shape_to_string(ind));
    ctx.set_output(0, ctx.input_dtype(0), data);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    const Tensor& upd = ctx.input(2);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(size_t axis, axis_for(data.rank()));
    PX_RETURN_IF_ERROR(move::check_element_shapes("ScatterElements", data.shape(), ind.shape(), axis));
    if (upd.shape() != ind.shape())
      return error(StatusCode::kInvalidArgument, "ScatterElements updates ", shape_to_string(upd.shape()),
                   " must have the shape of indices ", shape_to_string(ind.shape()));
    if (upd.dtype() != data.dtype())
      return error(StatusCode::kInvalidArgument, "ScatterElements updates must have the data's element type");
    move::copy_bytes(y.raw(), data.raw(), data.nbytes());
    if (ind.numel() == 0) return Status::ok();
    const int64_t rows = ind.numel() / ind.shape().back();
    int64_t bad = 0;
    bool ok = true;
    Status s = move::visit_index(ind.dtype(), [&]<typename I>() {
      return move::visit_reduction(reduction_, [&]<move::Reduction R>() {
        auto run = [&]<typename T>() {
          T* dst = y.data<T>();
          const T* u = upd.data<T>();
          ok = move::walk_elements(data.shape(), ind.shape(), ind.data<I>(), axis, 0, rows, &bad,
                                   [&](int64_t i, int64_t off) { move::reduce_into<R, T>(dst[off], u[i]); });
          return Status::ok();
        };
        if constexpr (R == move::Reduction::kNone) {
          PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(data.dtype()));
          return visit_by_size(move::bytes_type(esize), run);
        } else {
          return visit_numeric(data.dtype(), run);
        }
      });
    });
    PX_RETURN_IF_ERROR(s);
    if (!ok)
      return error(StatusCode::kInvalidArgument, "ScatterElements index ", bad, " is out of range for axis ", axis,
                   " of size ", data.shape()[axis]);
    return Status::ok();
  }

 private:
  Result<size_t> axis_for(size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (r == 0) return error(StatusCode::kInvalidArgument, "ScatterElements needs data of rank >= 1");
    if (axis_ < -r || axis_ >= r)
      return error(StatusCode::kInvalidArgument, "ScatterElements 'axis' ", axis_, " is out of range for rank ", r);
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

  int64_t axis_ = 0;
  move::Reduction reduction_ = move::Reduction::kNone;
};

}  // namespace

PX_REGISTER_KERNEL("", "ScatterElements", 11, kMaxOpset, make_kernel<ScatterElementsKernel>);
PX_REGISTER_KERNEL("", "Scatter", 9, 10, make_kernel<ScatterElementsKernel>);

}  // namespace parallax
