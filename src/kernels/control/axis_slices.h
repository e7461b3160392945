// Moving slices along one axis in and out of a tensor: what Loop and Scan do
// with their scan inputs and outputs.
#pragma once

#include <cstring>
#include <vector>

#include "parallax/tensor.h"

namespace parallax {

// The `index`-th slice of `t` along `axis` (that axis removed), copied.
inline Tensor take_slice(const Tensor& t, size_t axis, int64_t index) {
  Shape out_shape = t.shape();
  out_shape.erase(out_shape.begin() + static_cast<long>(axis));
  Tensor out = Tensor::allocate(t.dtype(), out_shape);
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= t.dim(d);
  for (size_t d = axis + 1; d < t.rank(); ++d) inner *= t.dim(d);
  const size_t row = static_cast<size_t>(inner) * element_size(t.dtype());
  const auto* src = static_cast<const std::byte*>(t.raw());
  auto* dst = static_cast<std::byte*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + o * row, src + (o * t.dim(axis) + index) * static_cast<int64_t>(row), row);
  return out;
}

// Stacks equally shaped `slices` along a new `axis`; `order` may reverse them.
inline Tensor stack_slices(const std::vector<Tensor>& slices, size_t axis, bool reverse) {
  const Tensor& first = slices.front();
  Shape shape = first.shape();
  const int64_t n = static_cast<int64_t>(slices.size());
  shape.insert(shape.begin() + static_cast<long>(axis), n);
  Tensor out = Tensor::allocate(first.dtype(), shape);
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= first.dim(d);
  for (size_t d = axis; d < first.rank(); ++d) inner *= first.dim(d);
  const size_t row = static_cast<size_t>(inner) * element_size(first.dtype());
  auto* dst = static_cast<std::byte*>(out.raw());
  for (int64_t k = 0; k < n; ++k) {
    const auto* src = static_cast<const std::byte*>(slices[static_cast<size_t>(reverse ? n - 1 - k : k)].raw());
    for (int64_t o = 0; o < outer; ++o) std::memcpy(dst + (o * n + k) * static_cast<int64_t>(row), src + o * row, row);
  }
  return out;
}

}  // namespace parallax
