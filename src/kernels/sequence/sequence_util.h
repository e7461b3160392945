// What the sequence ops (ONNX seq(tensor(T)), held as Tensor::sequence) and
// the optional ops share: reading a sequence input, a position in it, and
// making items and values of their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/op_kernel.h"

namespace parallax {

// The most tensors a sequence op makes one sequence of. Each item costs a
// handle and an allocation even when empty, so a [2^31, 0] input split into
// pieces of 1 would need hundreds of GiB: a list that long is an attack, not
// a model.
inline constexpr int64_t kMaxSequenceItems = int64_t{1} << 20;
Status check_sequence_length(int64_t items);

// Input `i` as a sequence; an error naming the input when it is a tensor.
Result<const Tensor*> sequence_input(const ComputeContext& ctx, size_t i);

// A position in a sequence of `length` items, read from a scalar int32 or
// int64 tensor: negative positions count from the back, and with
// `past_end` the position `length` is valid too (SequenceInsert appends).
Result<int64_t> sequence_position(const Tensor& position, int64_t length, bool past_end);

// An item the sequence owns: inputs may live in arena memory a later step
// reuses, and a sequence outlives the step that made it.
Result<Tensor> owned_item(const Tensor& t);

// A value a node may hand on as its output: a sequence or an empty optional
// as it is (neither is ever changed), a tensor copied (owned_item).
Result<Tensor> owned_value(const Tensor& t);

// The element type a sequence of `element` takes `item` as (an empty
// sequence of undefined type takes any), or an error when they differ.
Result<DataType> joined_element_type(DataType element, const Tensor& item);

// `items` joined along `axis` (every other dimension equal), in a new tensor.
Result<Tensor> concat_items(std::span<const Tensor> items, int64_t axis);

}  // namespace parallax
