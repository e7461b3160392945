#include "kernels/kernel_util.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>

namespace parallax {

Result<int64_t> normalize_axis(int64_t axis, int64_t rank) {
  // A scalar has no axis: callers that read dim(axis) of one would read past
  // the shape.
  if (rank == 0)
    return error(StatusCode::kInvalidArgument, "axis ", axis, " is out of range for rank 0 (a scalar has no axes)");
  if (axis < -rank || axis >= rank)
    return error(StatusCode::kInvalidArgument, "axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

Result<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      return error(StatusCode::kInvalidArgument, "shapes ", shape_to_string(a), " and ", shape_to_string(b),
                   " cannot be broadcast");
    }
  }
  return out;
}

// Unchecked products: safe for admitted shapes only (the admission rule, core/shape_arith.h).
std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

Result<std::vector<int64_t>> read_int_list(const Tensor& t) {
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::kInt64) {
    std::copy_n(t.data<int64_t>(), out.size(), out.begin());
  } else if (t.dtype() == DataType::kInt32) {
    std::copy_n(t.data<int32_t>(), out.size(), out.begin());
  } else {
    return error(StatusCode::kInvalidArgument, "expected an int32 or int64 tensor, got ", data_type_name(t.dtype()));
  }
  return out;
}

Result<int64_t> read_int_scalar(const Tensor& t) {
  if (t.numel() < 1) return error(StatusCode::kInvalidArgument, "expected a scalar, got an empty tensor");
  if (t.dtype() == DataType::kInt64) return t.data<int64_t>()[0];
  if (t.dtype() == DataType::kInt32) return static_cast<int64_t>(t.data<int32_t>()[0]);
  return error(StatusCode::kInvalidArgument, "expected an int32 or int64 scalar, got ", data_type_name(t.dtype()));
}

Result<double> read_scalar(const Tensor& t) {
  if (t.numel() < 1) return error(StatusCode::kInvalidArgument, "expected a scalar, got an empty tensor");
  double v = 0;
  Status s = visit_all(t.dtype(), [&]<typename T>() {
    v = static_cast<double>(t.data<T>()[0]);
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return v;
}

void parallel_for(int threads, int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  int64_t chunks = std::min<int64_t>(threads, (n + grain - 1) / grain);
  if (chunks <= 1 || omp_in_parallel()) {
    fn(0, n);
    return;
  }
  // An exception must not leave an OpenMP region (that ends the process):
  // the first one is kept and thrown again on the calling thread, where the
  // step's guard turns it into a Status (runtime/program.cc).
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
    try {
      fn(begin, end);
    } catch (...) {
      if (!failed.exchange(true)) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

Status infer_same_as_input0(InferContext& ctx) {
  ctx.set_output(0, ctx.input_dtype(0), ctx.input_shape(0));
  return Status::ok();
}

}  // namespace parallax
