#include "kernels/sequence/sequence_util.h"

#include <cstring>

#include "core/shape_arith.h"
#include "kernels/kernel_util.h"

namespace parallax {

Status check_sequence_length(int64_t items) {
  if (items > kMaxSequenceItems)
    return error(StatusCode::kResourceExhausted, "a sequence of ", items, " tensors is over the limit of ",
                 kMaxSequenceItems);
  return Status::ok();
}

Result<const Tensor*> sequence_input(const ComputeContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (!t.is_sequence())
    return error(StatusCode::kInvalidArgument, "input ", i, " must be a sequence, got a ", data_type_name(t.dtype()),
                 " tensor");
  return &t;
}

Result<int64_t> sequence_position(const Tensor& position, int64_t length, bool past_end) {
  if (position.dtype() != DataType::kInt32 && position.dtype() != DataType::kInt64)
    return error(StatusCode::kInvalidArgument, "position must be int32 or int64, got ",
                 data_type_name(position.dtype()));
  if (position.rank() != 0 && position.numel() != 1)
    return error(StatusCode::kInvalidArgument, "position must be a scalar, got shape ",
                 shape_to_string(position.shape()));
  PX_ASSIGN_OR_RETURN(int64_t p, read_int_scalar(position));
  const int64_t end = past_end ? length : length - 1;
  if (p < -length || p > end)
    return error(StatusCode::kInvalidArgument, "position ", p, " is out of range for a sequence of ", length,
                 " tensors");
  return p < 0 ? p + length : p;
}

Result<Tensor> owned_item(const Tensor& t) {
  if (t.is_sequence()) return error(StatusCode::kInvalidArgument, "a sequence cannot hold a sequence");
  if (!is_supported(t.dtype()))
    return error(StatusCode::kUnsupported, "a sequence of ", data_type_name(t.dtype()), " tensors is not supported");
  PX_ASSIGN_OR_RETURN(Tensor copy, Tensor::create(t.dtype(), t.shape()));
  if (t.nbytes() > 0) std::memcpy(copy.raw(), t.raw(), t.nbytes());
  return copy;
}

Result<Tensor> owned_value(const Tensor& t) {
  if (t.is_sequence() || t.is_none()) return t;
  return owned_item(t);
}

Result<DataType> joined_element_type(DataType element, const Tensor& item) {
  if (element != DataType::kUndefined && item.dtype() != element)
    return error(StatusCode::kInvalidArgument, "a sequence of ", data_type_name(element), " tensors cannot take a ",
                 data_type_name(item.dtype()), " tensor");
  return item.dtype();
}

Result<Tensor> concat_items(std::span<const Tensor> items, int64_t axis) {
  if (items.empty()) return error(StatusCode::kInvalidArgument, "cannot concatenate an empty sequence");
  const Tensor& first = items.front();
  const int64_t rank = static_cast<int64_t>(first.rank());
  if (rank == 0) return error(StatusCode::kInvalidArgument, "cannot concatenate scalars");
  PX_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axis, rank));
  const auto ax = static_cast<size_t>(a);
  Shape shape = first.shape();
  shape[ax] = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    const Tensor& t = items[k];
    bool same = t.dtype() == first.dtype() && t.rank() == first.rank();
    for (size_t d = 0; same && d < t.rank(); ++d) same = d == ax || t.dim(d) == first.dim(d);
    if (!same)
      return error(StatusCode::kInvalidArgument, "item ", k, " (", data_type_name(t.dtype()), " ",
                   shape_to_string(t.shape()), ") does not join item 0 (", data_type_name(first.dtype()), " ",
                   shape_to_string(first.shape()), ") along axis ", a);
    shape[ax] += t.dim(ax);
  }
  PX_RETURN_IF_ERROR(check_shape_extent(shape));
  PX_ASSIGN_OR_RETURN(Tensor out, Tensor::create(first.dtype(), shape));
  // Nothing to copy; the loop below would still count the outer rows, which
  // an empty output may have by the billion.
  if (out.numel() == 0) return out;
  // Each of the `outer` rows of the output is every item's row in turn.
  int64_t outer = 1;
  for (size_t d = 0; d < ax; ++d) outer *= shape[d];
  auto* dst = static_cast<std::byte*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor& t : items) {
      const size_t row = t.nbytes() / static_cast<size_t>(outer == 0 ? 1 : outer);
      if (row == 0) continue;
      std::memcpy(dst, static_cast<const std::byte*>(t.raw()) + static_cast<size_t>(o) * row, row);
      dst += row;
    }
  return out;
}

}  // namespace parallax
