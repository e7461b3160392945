// Shared helpers for the shape and data-movement kernels (Reshape, Transpose,
// Slice, Concat, Gather, Pad, ...): byte-level copies, an N-D transpose with
// dimension coalescing and cache tiling, strided gathers, and index readers.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/kernel_util.h"

namespace parallax::move {

// memcpy that tolerates empty ranges and identical buffers.
inline void copy_bytes(void* dst, const void* src, size_t bytes) {
  if (bytes != 0 && dst != src) std::memcpy(dst, src, bytes);
}

// Byte size of one element of `type`, or an Unsupported error (string...).
Result<size_t> element_bytes(DataType type);

// An unsigned type of `esize` bytes, for visit_by_size over raw elements
// (kString, which visit_by_size rejects, for sizes it cannot hold).
inline DataType bytes_type(size_t esize) {
  switch (esize) {
    case 1: return DataType::kUInt8;
    case 2: return DataType::kUInt16;
    case 4: return DataType::kUInt32;
    case 8: return DataType::kUInt64;
    default: return DataType::kString;
  }
}

// Output 0 = input 0 byte for byte (Reshape, Flatten, Squeeze, Unsqueeze).
Status copy_input_to_output(ComputeContext& ctx);

// Copies `rows` rows of `row_bytes` bytes; rows start `dst_stride` / `src_stride`
// bytes apart.
void copy_rows(void* dst, int64_t dst_stride, const void* src, int64_t src_stride, int64_t rows, int64_t row_bytes,
               int threads);

// out = transpose(in, perm) for a row-major tensor of `in_shape`, elements of
// `esize` bytes. perm must be a permutation of [0, rank).
Status transpose(const void* in, void* out, size_t esize, const Shape& in_shape, const std::vector<int64_t>& perm,
                 int threads);

// Contiguous `out` of `out_shape` from in[base + sum_d i_d * in_strides[d]]
// (element strides, possibly negative; `base` in elements).
Status strided_copy(const void* in, int64_t base, std::vector<int64_t> in_strides, void* out, Shape out_shape,
                    size_t esize, int threads);

// Calls f.template operator()<I>() with I = int32_t or int64_t for an index tensor.
template <typename F>
Status visit_index(DataType type, F&& f) {
  switch (type) {
    case DataType::kInt64: return f.template operator()<int64_t>();
    case DataType::kInt32: return f.template operator()<int32_t>();
    default:
      return error(StatusCode::kInvalidArgument, "indices must be int32 or int64, got ", data_type_name(type));
  }
}

// Reads an int32/int64 index tensor, wraps negative values by `dim` and checks
// every value lies in [0, dim). `what` names the input in errors.
Result<std::vector<int64_t>> read_indices(const Tensor& t, int64_t dim, const char* what);

// Iterates a multi-index over `dims` (outermost first) while tracking two
// linear offsets with per-dimension strides `sa` and `sb`.
struct Odometer {
  std::vector<int64_t> dims, sa, sb, idx;
  int64_t a = 0, b = 0;

  Odometer() = default;
  Odometer(std::vector<int64_t> d, std::vector<int64_t> stride_a, std::vector<int64_t> stride_b)
      : dims(std::move(d)), sa(std::move(stride_a)), sb(std::move(stride_b)), idx(dims.size(), 0) {
    if (sb.size() < dims.size()) sb.resize(dims.size(), 0);
  }
  // Positions at the `linear`-th multi-index (row-major).
  void seek(int64_t linear) {
    a = b = 0;
    for (size_t k = dims.size(); k-- > 0;) {
      int64_t d = dims[k];
      idx[k] = d ? linear % d : 0;
      linear = d ? linear / d : 0;
      a += idx[k] * sa[k];
      b += idx[k] * sb[k];
    }
  }
  void next() {
    for (size_t k = dims.size(); k-- > 0;) {
      ++idx[k];
      a += sa[k];
      b += sb[k];
      if (idx[k] < dims[k]) return;
      a -= dims[k] * sa[k];
      b -= dims[k] * sb[k];
      idx[k] = 0;
    }
  }
};

// Product of shape[begin, end). Unchecked: safe for admitted shapes only (see core/shape_arith.h).
inline int64_t prod(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < s.size(); ++i) p *= s[i];
  return p;
}

// Reads input `i` as an int list when its value is known: null Tensor* means defer.
// Error if the tensor is not int32/int64.
inline Result<std::vector<int64_t>> int_list_of(const Tensor& t, const char* what) {
  auto r = read_int_list(t);
  if (!r.is_ok()) return error(StatusCode::kInvalidArgument, what, ": ", r.status().message());
  return r;
}

}  // namespace parallax::move
