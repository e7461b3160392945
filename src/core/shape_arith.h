// Checked shape arithmetic: the one place where sizes derived from a model
// or its inputs are multiplied and added.
//
//   PX_ASSIGN_OR_RETURN(int64_t n, checked_numel(shape));        // overflow -> InvalidArgument
//   PX_ASSIGN_OR_RETURN(int64_t out, checked_mul(in - 1, stride));
//   PX_RETURN_IF_ERROR(check_shape_extent(shape));               // the admission rule below
//
// The admission rule. Every shape that enters the runtime (a weight, a graph
// input, an inferred or allocated output) must have dims >= 0 and an
// *extent* — the product of its dims with 0 read as 1 — of at most
// kMaxShapeExtent = 2^31. That bound is what makes unchecked arithmetic in
// kernels safe by construction, not by audit:
//   - any product of any subset of one tensor's dims is <= 2^31, and so are
//     strides, numel, outer/inner block sizes and offsets into the tensor,
//     even when another dim is 0 (an empty tensor of shape [0, 2^61] is
//     refused, where its numel alone would have said "0, fine");
//   - a product of two such quantities (outer * k in Gather, an index times
//     a stride) is < 2^62 and fits in int64.
// 2^31 elements is 8 GiB of float32, past anything an edge device runs, so the
// rule refuses only hostile shapes. Arithmetic on attribute values (strides,
// pads, kernel sizes, which the rule does not bound) and on three or more
// factors goes through checked_mul / checked_add.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status_macros.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {

inline constexpr int64_t kMaxShapeExtent = int64_t{1} << 31;

// a * b and a + b, or InvalidArgument when the result does not fit in int64.
Result<int64_t> checked_mul(int64_t a, int64_t b);
Result<int64_t> checked_add(int64_t a, int64_t b);

// Product of shape[begin, end) (clamped to the rank), checked.
Result<int64_t> checked_prod(const Shape& shape, size_t begin, size_t end);
// Number of elements, checked (0 when any dim is 0).
Result<int64_t> checked_numel(const Shape& shape);

// The admission rule: dims >= 0 and extent <= kMaxShapeExtent. The error
// names the shape; callers add what it belongs to (node, input, tensor).
Status check_shape_extent(const Shape& shape);

}  // namespace parallax
