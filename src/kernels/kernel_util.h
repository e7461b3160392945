// Small helpers shared by CPU kernels: axis handling, shape arithmetic,
// dtype dispatch and intra-op parallel loops.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/function_ref.h"
#include "core/status_macros.h"
#include "kernels/op_kernel.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {

// Maps a possibly negative axis into [0, rank); an error (naming the axis and
// the rank) outside [-rank, rank), so always for a scalar. The executor adds
// the node to the error.
Result<int64_t> normalize_axis(int64_t axis, int64_t rank);

// Numpy-style multidirectional broadcast of shapes.
Result<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Row-major element strides (unchecked: for admitted shapes, see core/shape_arith.h).
std::vector<int64_t> strides_of(const Shape& shape);

// Reads an int32/int64 1-D (or scalar) tensor into int64s.
Result<std::vector<int64_t>> read_int_list(const Tensor& t);
// Reads a single-element int32/int64 tensor exactly (doubles lose INT64_MAX).
Result<int64_t> read_int_scalar(const Tensor& t);
// Reads a scalar (or single-element) tensor of any numeric type as double
// (for thresholds, flags and real values; counts use read_int_scalar).
Result<double> read_scalar(const Tensor& t);

// Runs fn(begin, end) over [0, n) split across up to `threads` threads,
// with at least `grain` iterations per chunk. Runs inline when small. An
// exception thrown by fn on any thread reaches the caller (the first one).
void parallel_for(int threads, int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn);

// Calls f.template operator()<T>() for the C++ type of `type`, for the
// numeric types listed; returns an Unsupported error otherwise.
//   PX_RETURN_IF_ERROR(visit_numeric(dt, [&]<typename T>() { ... return Status::ok(); }));
template <typename F>
Status visit_numeric(DataType type, F&& f) {
  switch (type) {
    case DataType::kFloat32: return f.template operator()<float>();
    case DataType::kFloat64: return f.template operator()<double>();
    case DataType::kInt64: return f.template operator()<int64_t>();
    case DataType::kInt32: return f.template operator()<int32_t>();
    case DataType::kInt16: return f.template operator()<int16_t>();
    case DataType::kInt8: return f.template operator()<int8_t>();
    case DataType::kUInt8: return f.template operator()<uint8_t>();
    case DataType::kUInt16: return f.template operator()<uint16_t>();
    case DataType::kUInt32: return f.template operator()<uint32_t>();
    case DataType::kUInt64: return f.template operator()<uint64_t>();
    default: return error(StatusCode::kUnsupported, "element type ", data_type_name(type), " is not supported here");
  }
}
// float32 and float64 only.
template <typename F>
Status visit_float(DataType type, F&& f) {
  switch (type) {
    case DataType::kFloat32: return f.template operator()<float>();
    case DataType::kFloat64: return f.template operator()<double>();
    default: return error(StatusCode::kUnsupported, "element type ", data_type_name(type), " is not supported here");
  }
}
// As visit_numeric, plus bool.
template <typename F>
Status visit_all(DataType type, F&& f) {
  if (type == DataType::kBool) return f.template operator()<bool>();
  return visit_numeric(type, std::forward<F>(f));
}
// Same-size raw element type, for ops that only move bytes (Transpose, Gather, Concat...).
template <typename F>
Status visit_by_size(DataType type, F&& f) {
  switch (element_size(type)) {
    case 1: return f.template operator()<uint8_t>();
    case 2: return f.template operator()<uint16_t>();
    case 4: return f.template operator()<uint32_t>();
    case 8: return f.template operator()<uint64_t>();
    default: return error(StatusCode::kUnsupported, "element type ", data_type_name(type), " is not supported here");
  }
}

// Factory for kernels constructed from the create context:
//   PX_REGISTER_KERNEL("", "Relu", 6, kMaxOpset, make_kernel<ReluKernel>);
// where ReluKernel has `static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext&)`,
// or is default-constructible.
template <typename K>
Result<std::unique_ptr<OpKernel>> make_kernel(const KernelCreateContext& ctx) {
  if constexpr (requires { K::create(ctx); }) {
    return K::create(ctx);
  } else {
    (void)ctx;
    return std::unique_ptr<OpKernel>(std::make_unique<K>());
  }
}

// For kernels with no state beyond attributes: output 0 has input 0's dtype and shape.
Status infer_same_as_input0(InferContext& ctx);

}  // namespace parallax
