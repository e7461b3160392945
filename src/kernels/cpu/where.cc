// Where: condition ? X : Y elementwise, all three broadcast together
// (numpy multidirectional). X and Y share any element type (moved as bytes).
#include "core/status_macros.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

// One run of n outputs; C/X/Y tell whether each input advances (else
// repeats). T is an unsigned integer of the element's size: the select is a
// bit mask, so random conditions cost no branch mispredictions and vectorise.
template <bool C, bool X, bool Y, class T>
void where_run(const bool* c, const T* x, const T* y, T* o, int64_t n) {
  const bool c0 = c[0];
  const T x0 = x[0], y0 = y[0];
  for (int64_t i = 0; i < n; ++i) {
    T mask = static_cast<T>(T(0) - static_cast<T>(C ? c[i] : c0));
    T xv = X ? x[i] : x0;
    T yv = Y ? y[i] : y0;
    o[i] = static_cast<T>((xv & mask) | (yv & static_cast<T>(~mask)));
  }
}

template <class T>
void where_all(const BroadcastPlan& plan, const bool* c, const T* x, const T* y, T* o, int threads) {
  const int code = (plan.inner_step(0) ? 4 : 0) | (plan.inner_step(1) ? 2 : 0) | (plan.inner_step(2) ? 1 : 0);
  parallel_for(threads, plan.numel(), elementwise_grain(1), [&](int64_t b, int64_t e) {
    plan.for_each_segment<3>(b, e, [&](int64_t oo, const std::array<int64_t, 3>& off, int64_t n) {
      const bool* pc = c + off[0];
      const T* px = x + off[1];
      const T* py = y + off[2];
      T* po = o + oo;
      switch (code) {
        case 0: where_run<false, false, false>(pc, px, py, po, n); break;
        case 1: where_run<false, false, true>(pc, px, py, po, n); break;
        case 2: where_run<false, true, false>(pc, px, py, po, n); break;
        case 3: where_run<false, true, true>(pc, px, py, po, n); break;
        case 4: where_run<true, false, false>(pc, px, py, po, n); break;
        case 5: where_run<true, false, true>(pc, px, py, po, n); break;
        case 6: where_run<true, true, false>(pc, px, py, po, n); break;
        default: where_run<true, true, true>(pc, px, py, po, n); break;
      }
    });
  });
}

class WhereKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    PX_RETURN_IF_ERROR(check_types(ctx.input_dtype(0), ctx.input_dtype(1), ctx.input_dtype(2)));
    PX_ASSIGN_OR_RETURN(Shape shape, broadcast_all({ctx.input_shape(0), ctx.input_shape(1), ctx.input_shape(2)}));
    ctx.set_output(0, ctx.input_dtype(1), std::move(shape));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& c = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    Tensor& out = ctx.output(0);
    PX_RETURN_IF_ERROR(check_types(c.dtype(), x.dtype(), y.dtype()));
    PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(out.shape(), {c.shape(), x.shape(), y.shape()}));
    return visit_by_size(x.dtype(), [&]<typename T>() -> Status {
      where_all(plan, c.data<bool>(), x.data<T>(), y.data<T>(), out.data<T>(), ctx.num_threads());
      return Status::ok();
    });
  }

 private:
  static Status check_types(DataType c, DataType x, DataType y) {
    if (c != DataType::kBool)
      return error(StatusCode::kInvalidArgument, "Where: condition must be bool, got ", data_type_name(c));
    if (x != y)
      return error(StatusCode::kInvalidArgument, "Where: X and Y have different element types ", data_type_name(x),
                   " and ", data_type_name(y));
    if (!is_supported(x)) return unsupported_type("Where", x);
    return Status::ok();
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Where", 9, kMaxOpset, make_kernel<WhereKernel>);

}  // namespace parallax
