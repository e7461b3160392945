// Shared by the ai.onnx.preview.training optimizers (Adagrad, Adam,
// Momentum): inputs R (learning rate) and T (update count) as scalars, then
// `groups` runs of n tensors (X, G and the optimizer's state), outputs the
// new X and states in the same order. Every tensor of run i has X_i's shape;
// float32 or float64. An inference runtime runs these for the ONNX
// conformance suite and for models exported with their update step.
#pragma once

#include <string>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax::training {

// n, the number of tensors each optimizer input run holds.
inline Result<size_t> tensors_per_run(size_t inputs, size_t outputs, size_t input_runs, size_t output_runs,
                                      const char* op) {
  if (inputs < 2 + input_runs || (inputs - 2) % input_runs != 0)
    return error(StatusCode::kInvalidArgument, op, ": inputs must be R, T and ", input_runs, " runs of n tensors");
  const size_t n = (inputs - 2) / input_runs;
  if (outputs != n * output_runs)
    return error(StatusCode::kInvalidArgument, op, ": ", n, " tensors per run need ", n * output_runs, " outputs");
  return n;
}

// Output j has the shape and type of input 2 + (j % n) (its X).
inline Status infer_like_x(InferContext& ctx, size_t input_runs, size_t output_runs, const char* op) {
  PX_ASSIGN_OR_RETURN(size_t n, tensors_per_run(ctx.num_inputs(), ctx.num_outputs(), input_runs, output_runs, op));
  for (size_t i = 0; i < n; ++i) {
    const DataType t = ctx.input_dtype(2 + i);
    if (t != DataType::kUndefined && t != DataType::kFloat32 && t != DataType::kFloat64)
      return error(StatusCode::kUnsupported, op, ": X must be float32 or float64, got ", data_type_name(t));
    for (size_t r = 1; r < input_runs; ++r)
      if (ctx.input_shape(2 + r * n + i) != ctx.input_shape(2 + i) || ctx.input_dtype(2 + r * n + i) != t)
        return error(StatusCode::kInvalidArgument, op, ": input ", 2 + r * n + i, " must have X_", i + 1,
                     "'s shape and type");
  }
  for (size_t j = 0; j < ctx.num_outputs(); ++j)
    ctx.set_output(j, ctx.input_dtype(2 + j % n), ctx.input_shape(2 + j % n));
  return Status::ok();
}

// R (any numeric type, as a double) and T (an integer count).
struct Scalars {
  double r = 0.0;
  int64_t t = 0;
};
inline Result<Scalars> read_r_t(const ComputeContext& ctx) {
  Scalars s;
  PX_ASSIGN_OR_RETURN(s.r, read_scalar(ctx.input(0)));
  PX_ASSIGN_OR_RETURN(s.t, read_int_scalar(ctx.input(1)));
  return s;
}

// Runs fn.template operator()<T>(i) for each tensor i, T being X_i's type.
template <class Fn>
Status for_each_tensor(const ComputeContext& ctx, size_t n, Fn&& fn) {
  for (size_t i = 0; i < n; ++i) {
    Status st = ctx.input(2 + i).dtype() == DataType::kFloat64 ? fn.template operator()<double>(i)
                                                               : fn.template operator()<float>(i);
    if (!st.is_ok()) return st;
  }
  return Status::ok();
}

}  // namespace parallax::training
