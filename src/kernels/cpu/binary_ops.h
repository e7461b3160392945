// One kernel template for the elementwise binary ops with numpy
// broadcasting (Add, Sub, Mul, Div, Mod, BitShift, And, Or, Xor, Equal,
// Less, Greater, ...). An op is a functor type:
//
//   struct AddOp {
//     static constexpr const char* kName = "Add";
//     template <class T> static constexpr bool accepts = kIsNumeric<T>;  // element type of both inputs
//     template <class T> T operator()(T a, T b) const { return a + b; }  // may return bool (comparisons)
//     // optional: static Result<AddOp> make(const KernelCreateContext&);         reads attributes
//     // optional: template <class T> Status check(const Tensor& a, const Tensor& b) const;
//     //           validates data before the loop (integer division by zero)
//     // optional: static constexpr int64_t kCost;                                 per-element cost
//   };
//
// Both inputs must have the same element type. Opsets below 7 had explicit
// broadcasting (attributes broadcast / axis: B aligned at `axis` of A); that
// form is mapped onto numpy broadcasting by padding B's shape with 1s.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "core/status_macros.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {

// The legacy (opset < 7) broadcast / axis attributes of binary ops.
class LegacyBroadcast {
 public:
  static Result<LegacyBroadcast> read(const KernelCreateContext& ctx) {
    LegacyBroadcast lb;
    if (ctx.opset() >= 7) return lb;
    PX_ASSIGN_OR_RETURN(int64_t b, ctx.attrs().get_int("broadcast", 0));
    lb.enabled_ = b != 0;
    if (lb.enabled_ && ctx.attrs().has("axis")) {
      PX_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().get_int("axis"));
      lb.axis_ = axis;
    }
    return lb;
  }
  // B's shape as numpy broadcasting should see it next to A.
  Result<Shape> b_shape(const Shape& a, const Shape& b) const {
    if (!enabled_ || !axis_) return b;
    int64_t rank = static_cast<int64_t>(a.size());
    int64_t axis = *axis_ < 0 ? *axis_ + rank : *axis_;
    // axis is an unbounded attribute: range-check it before rank - axis.
    int64_t pad = axis < 0 || axis > rank ? -1 : rank - axis - static_cast<int64_t>(b.size());
    if (axis < 0 || pad < 0)
      return error(StatusCode::kInvalidArgument, "legacy broadcast: B of shape ", shape_to_string(b),
                   " does not fit A of shape ", shape_to_string(a), " at axis ", *axis_);
    Shape out = b;
    out.insert(out.end(), static_cast<size_t>(pad), 1);
    return out;
  }

 private:
  bool enabled_ = false;
  std::optional<int64_t> axis_;
};

template <class Op>
class BinaryKernel final : public OpKernel {
 public:
  BinaryKernel(Op op, LegacyBroadcast legacy) : op_(std::move(op)), legacy_(legacy) {}

  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    PX_ASSIGN_OR_RETURN(LegacyBroadcast legacy, LegacyBroadcast::read(ctx));
    if constexpr (requires { Op::make(ctx); }) {
      PX_ASSIGN_OR_RETURN(Op op, Op::make(ctx));
      return std::unique_ptr<OpKernel>(std::make_unique<BinaryKernel>(std::move(op), legacy));
    } else {
      return std::unique_ptr<OpKernel>(std::make_unique<BinaryKernel>(Op{}, legacy));
    }
  }

  Status infer(InferContext& ctx) const override {
    DataType ta = ctx.input_dtype(0), tb = ctx.input_dtype(1);
    if (ta != tb)
      return error(StatusCode::kInvalidArgument, Op::kName, ": inputs have different element types ",
                   data_type_name(ta), " and ", data_type_name(tb));
    DataType out = DataType::kUndefined;
    PX_RETURN_IF_ERROR(visit_all(ta, [&]<typename T>() -> Status {
      if constexpr (Op::template accepts<T>) {
        out = data_type_of<Out<T>>();
        return Status::ok();
      } else {
        return unsupported_type(Op::kName, ta);
      }
    }));
    PX_ASSIGN_OR_RETURN(Shape b, legacy_.b_shape(ctx.input_shape(0), ctx.input_shape(1)));
    PX_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(ctx.input_shape(0), b));
    ctx.set_output(0, out, std::move(shape));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    if (a.dtype() != b.dtype())
      return error(StatusCode::kInvalidArgument, Op::kName, ": inputs have different element types ",
                   data_type_name(a.dtype()), " and ", data_type_name(b.dtype()));
    PX_ASSIGN_OR_RETURN(Shape b_shape, legacy_.b_shape(a.shape(), b.shape()));
    PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(y.shape(), {a.shape(), b_shape}));
    return visit_all(a.dtype(), [&]<typename T>() -> Status {
      if constexpr (Op::template accepts<T>) {
        if constexpr (requires { op_.template check<T>(a, b); }) {
          PX_RETURN_IF_ERROR(op_.template check<T>(a, b));
        }
        int64_t cost = 1;
        if constexpr (requires { Op::kCost; }) cost = Op::kCost;
        broadcast_binary(plan, a.data<T>(), b.data<T>(), y.data<Out<T>>(), op_, ctx.num_threads(), cost);
        return Status::ok();
      } else {
        return unsupported_type(Op::kName, a.dtype());
      }
    });
  }

 private:
  template <class T>
  using Out = decltype(std::declval<const Op&>()(std::declval<T>(), std::declval<T>()));

  Op op_;
  LegacyBroadcast legacy_;
};

// Shared check for integer division and modulo: no zero divisors.
template <class T>
Status check_no_zero_divisor(const char* op, const Tensor& divisor) {
  if constexpr (kIsInteger<T>) {
    const T* p = divisor.data<T>();
    const int64_t n = divisor.numel();
    bool zero = false;
    for (int64_t i = 0; i < n; ++i) zero |= p[i] == T(0);
    if (zero) return error(StatusCode::kInvalidArgument, op, ": integer division by zero");
  }
  return Status::ok();
}

}  // namespace parallax
