// Shared walk for GatherElements / ScatterElements / Scatter: for every
// position of `indices` (rank r, same rank as data), the data element whose
// coordinate along `axis` is replaced by the index value.
#pragma once

#include <atomic>
#include <string>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"

namespace parallax::move {

// Checks ranks and that indices fit inside data on every other axis.
inline Status check_element_shapes(const char* op, const Shape& data, const Shape& ind, size_t axis) {
  if (data.size() != ind.size())
    return error(StatusCode::kInvalidArgument, op, " indices ", shape_to_string(ind), " and data ",
                 shape_to_string(data), " must have the same rank");
  for (size_t d = 0; d < data.size(); ++d)
    if (d != axis && ind[d] > data[d])
      return error(StatusCode::kInvalidArgument, op, " indices ", shape_to_string(ind), " exceed data ",
                   shape_to_string(data), " on axis ", d);
  return Status::ok();
}

// Calls fn(i, off) for rows [row_begin, row_end) of indices (rows = all dims
// but the last), where i is the linear position in indices and off the data
// element offset. Returns false (and stops) on an out-of-range index, storing
// it in *bad.
template <typename I, typename Fn>
bool walk_elements(const Shape& data, const Shape& ind, const I* idx, size_t axis, int64_t row_begin,
                   int64_t row_end, int64_t* bad, Fn&& fn) {
  const size_t R = ind.size();
  const std::vector<int64_t> ds = strides_of(data);
  const int64_t inner = ind[R - 1];
  const int64_t axis_dim = data[axis], axis_stride = ds[axis];
  std::vector<int64_t> dims(ind.begin(), ind.end() - 1), sa(ds.begin(), ds.end() - 1);
  if (axis + 1 < R) sa[axis] = 0;
  Odometer od(dims, sa, {});
  od.seek(row_begin);
  const bool last = axis + 1 == R;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const I* p = idx + row * inner;
    for (int64_t j = 0; j < inner; ++j) {
      int64_t v = static_cast<int64_t>(p[j]);
      if (v < 0) v += axis_dim;
      if (v < 0 || v >= axis_dim) {
        *bad = static_cast<int64_t>(p[j]);
        return false;
      }
      fn(row * inner + j, last ? od.a + v : od.a + j + v * axis_stride);
    }
    od.next();
  }
  return true;
}

// Scatter reduction (`reduction` attribute: ScatterElements / ScatterND 16+, max/min 18+).
enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

inline Result<Reduction> parse_reduction(const KernelCreateContext& ctx, const char* op) {
  if (ctx.opset() < 16) return Reduction::kNone;
  PX_ASSIGN_OR_RETURN(std::string r, ctx.attrs().get_string("reduction", "none"));
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (ctx.opset() >= 18 && r == "max") return Reduction::kMax;
  if (ctx.opset() >= 18 && r == "min") return Reduction::kMin;
  return error(StatusCode::kInvalidModel, op, " 'reduction' '", r, "' is not supported");
}

template <Reduction R, typename T>
inline void reduce_into(T& dst, T v) {
  if constexpr (R == Reduction::kNone) {
    dst = v;
  } else if constexpr (R == Reduction::kAdd) {
    dst = static_cast<T>(dst + v);
  } else if constexpr (R == Reduction::kMul) {
    dst = static_cast<T>(dst * v);
  } else if constexpr (R == Reduction::kMax) {
    dst = dst < v ? v : dst;
  } else {
    dst = v < dst ? v : dst;
  }
}

// Calls f.template operator()<R>() for the runtime reduction r.
template <typename F>
Status visit_reduction(Reduction r, F&& f) {
  switch (r) {
    case Reduction::kNone: return f.template operator()<Reduction::kNone>();
    case Reduction::kAdd: return f.template operator()<Reduction::kAdd>();
    case Reduction::kMul: return f.template operator()<Reduction::kMul>();
    case Reduction::kMax: return f.template operator()<Reduction::kMax>();
    case Reduction::kMin: return f.template operator()<Reduction::kMin>();
  }
  return Status::ok();
}

}  // namespace parallax::move
