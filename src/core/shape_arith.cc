#include "core/shape_arith.h"

namespace parallax {

Result<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r))
    return error(StatusCode::kInvalidArgument, "size arithmetic overflows: ", a, " * ", b);
  return r;
}

Result<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r))
    return error(StatusCode::kInvalidArgument, "size arithmetic overflows: ", a, " + ", b);
  return r;
}

Result<int64_t> checked_prod(const Shape& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) {
    if (shape[i] < 0)
      return error(StatusCode::kInvalidArgument, "shape ", shape_to_string(shape), " has a negative dimension");
    if (__builtin_mul_overflow(p, shape[i], &p))
      return error(StatusCode::kInvalidArgument, "the element count of shape ", shape_to_string(shape),
                   " overflows int64");
  }
  return p;
}

Result<int64_t> checked_numel(const Shape& shape) {
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      return error(StatusCode::kInvalidArgument, "shape ", shape_to_string(shape), " has a negative dimension");
    empty |= d == 0;
  }
  // An empty tensor's other dims may multiply past int64: it has 0 elements.
  if (empty) return int64_t{0};
  return checked_prod(shape, 0, shape.size());
}

Status check_shape_extent(const Shape& shape) {
  int64_t extent = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return error(StatusCode::kInvalidArgument, "shape ", shape_to_string(shape), " has a negative dimension");
    // extent <= 2^31 and d <= 2^31 before the multiply, so it cannot overflow.
    if (d > kMaxShapeExtent)
      extent = kMaxShapeExtent + 1;
    else if (d > 1)
      extent *= d;
    if (extent > kMaxShapeExtent)
      return error(StatusCode::kInvalidArgument, "shape ", shape_to_string(shape),
                   " is too large: its dimensions multiply (zeros read as 1) past 2^31");
  }
  return Status::ok();
}

}  // namespace parallax
