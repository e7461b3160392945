// One kernel template for the variadic elementwise ops Sum, Mean, Max, Min:
// any number of inputs (at least one) of one element type, broadcast
// together (numpy multidirectional; opsets before 8 required equal shapes,
// which broadcasting also accepts). The output is reduced pairwise in place:
//   out = op(in0, in1); out = op(out, in2); ...
// each step a BroadcastPlan binary loop. An op is a functor type:
//
//   struct SumOp {
//     static constexpr const char* kName = "Sum";
//     template <class T> static constexpr bool accepts = kIsNumeric<T>;
//     template <class T> T operator()(T a, T b) const { return wrap_add(a, b); }
//     static constexpr bool kMean = false;   // divide by the input count at the end
//   };
#pragma once

#include <cstring>
#include <memory>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {

template <class Op>
class VariadicKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    PX_RETURN_IF_ERROR(check_count(ctx.num_inputs(), [&](size_t i) { return ctx.has_input(i); }));
    DataType type = ctx.input_dtype(0);
    std::vector<Shape> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      PX_RETURN_IF_ERROR(check_type(type, ctx.input_dtype(i)));
      shapes.push_back(ctx.input_shape(i));
    }
    PX_ASSIGN_OR_RETURN(Shape out, broadcast_all(shapes));
    ctx.set_output(0, type, std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const size_t n = ctx.num_inputs();
    PX_RETURN_IF_ERROR(check_count(n, [&](size_t i) { return ctx.has_input(i); }));
    const Tensor& x0 = ctx.input(0);
    for (size_t i = 0; i < n; ++i) PX_RETURN_IF_ERROR(check_type(x0.dtype(), ctx.input(i).dtype()));
    Tensor& y = ctx.output(0);
    const int threads = ctx.num_threads();
    return visit_numeric(x0.dtype(), [&]<typename T>() -> Status {
      if constexpr (Op::template accepts<T>) {
        // The output is written before inputs 2.. are read: if a planner
        // ever placed it over one of them, accumulate in a scratch buffer.
        Tensor scratch;
        T* out = y.data<T>();
        for (size_t i = 2; i < n; ++i) {
          if (ctx.input(i).raw() == y.raw() && y.numel() > 0) {
            scratch = Tensor::allocate(y.dtype(), y.shape());
            out = scratch.data<T>();
            break;
          }
        }
        if (n == 1) {
          PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(y.shape(), {x0.shape()}));
          broadcast_copy(plan, x0.data<T>(), out, threads);
        } else {
          const Tensor& x1 = ctx.input(1);
          PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(y.shape(), {x0.shape(), x1.shape()}));
          broadcast_binary(plan, x0.data<T>(), x1.data<T>(), out, Op{}, threads);
          for (size_t i = 2; i < n; ++i) {
            const Tensor& xi = ctx.input(i);
            PX_ASSIGN_OR_RETURN(BroadcastPlan p, BroadcastPlan::make(y.shape(), {y.shape(), xi.shape()}));
            broadcast_binary(p, static_cast<const T*>(out), xi.data<T>(), out, Op{}, threads);
          }
        }
        if constexpr (Op::kMean) {
          const T count = static_cast<T>(n);
          parallel_for(threads, y.numel(), elementwise_grain(1), [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) out[i] /= count;
          });
        }
        if (!scratch.empty()) std::memcpy(y.raw(), scratch.raw(), y.nbytes());
        return Status::ok();
      } else {
        return unsupported_type(Op::kName, x0.dtype());
      }
    });
  }

 private:
  template <class Has>
  static Status check_count(size_t n, Has&& has) {
    if (n == 0) return error(StatusCode::kInvalidArgument, Op::kName, ": needs at least one input");
    for (size_t i = 0; i < n; ++i)
      if (!has(i)) return error(StatusCode::kInvalidArgument, Op::kName, ": input ", i, " is missing");
    return Status::ok();
  }

  static Status check_type(DataType first, DataType t) {
    if (t != first)
      return error(StatusCode::kInvalidArgument, Op::kName, ": inputs have different element types ",
                   data_type_name(first), " and ", data_type_name(t));
    Status s = visit_numeric(t, [&]<typename T>() -> Status {
      if constexpr (Op::template accepts<T>) return Status::ok();
      else return unsupported_type(Op::kName, t);
    });
    return s.is_ok() ? s : unsupported_type(Op::kName, t);  // also for types visit_numeric lacks
  }
};

}  // namespace parallax
