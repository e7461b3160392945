// Unique: the distinct elements (or, with `axis`, distinct slices along it),
// sorted (default) or in order of first occurrence, plus optional outputs
// indices (first occurrence), inverse_indices and counts. All outputs are
// dynamic. NaNs compare equal to each other and after every number.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

template <typename T>
inline bool less_key(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

class UniqueKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<UniqueKernel>();
    PX_ASSIGN_OR_RETURN(int64_t sorted, ctx.attrs().get_int("sorted", 1));
    k->sorted_ = sorted != 0;
    if (ctx.attrs().has("axis")) {
      PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis"));
      k->has_axis_ = true;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (has_axis_) PX_RETURN_IF_ERROR(axis_for(ctx.input_shape(0).size()).status());
    if (ctx.has_output(0)) ctx.set_output_dynamic(0, ctx.input_dtype(0));
    for (size_t i = 1; i < 4; ++i)
      if (ctx.has_output(i)) ctx.set_output_dynamic(i, DataType::kInt64);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    // View the input as A rows of M elements each (row a = slice a along the axis).
    size_t axis = 0;
    int64_t rows_n = x.numel(), outer = 1, inner = 1;
    if (has_axis_) {
      PX_ASSIGN_OR_RETURN(axis, axis_for(x.rank()));
      rows_n = x.shape()[axis];
      outer = move::prod(x.shape(), 0, axis);
      inner = move::prod(x.shape(), axis + 1, x.rank());
    }
    const int64_t m = outer * inner;
    Tensor rows_t = x;
    if (has_axis_ && outer > 1 && x.numel() > 0) {
      rows_t = Tensor::allocate(x.dtype(), {rows_n, m});
      PX_RETURN_IF_ERROR(move::transpose(x.raw(), rows_t.raw(), esize, {outer, rows_n, inner}, {1, 0, 2}, 1));
    }

    std::vector<int64_t> first, counts, inverse(static_cast<size_t>(rows_n));
    // Rows of no elements are all equal: one group, found without sorting.
    // An empty input may still have millions of them along the axis.
    if (m == 0) {
      if (rows_n > 0) {
        first.push_back(0);
        counts.push_back(rows_n);
      }
    } else {
      PX_RETURN_IF_ERROR(sort_rows(rows_t, m, first, counts, inverse));
    }
    const size_t u = first.size();
    if (!sorted_) {
      // Reorder groups by first occurrence.
      std::vector<size_t> by_first(u);
      std::iota(by_first.begin(), by_first.end(), size_t{0});
      std::sort(by_first.begin(), by_first.end(), [&](size_t a, size_t b) { return first[a] < first[b]; });
      std::vector<int64_t> new_pos(u), f2(u), c2(u);
      for (size_t k = 0; k < u; ++k) {
        new_pos[by_first[k]] = static_cast<int64_t>(k);
        f2[k] = first[by_first[k]];
        c2[k] = counts[by_first[k]];
      }
      for (int64_t& v : inverse) v = new_pos[static_cast<size_t>(v)];
      first.swap(f2);
      counts.swap(c2);
    }

    const int64_t un = static_cast<int64_t>(u);
    if (ctx.has_output(0)) {
      Shape yshape = has_axis_ ? x.shape() : Shape{un};
      if (has_axis_) yshape[axis] = un;
      PX_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
      const size_t row_bytes = static_cast<size_t>(m) * esize;
      const char* src = static_cast<const char*>(rows_t.raw());
      if (has_axis_ && outer > 1 && un > 0 && m > 0) {
        Tensor picked = Tensor::allocate(x.dtype(), {un, m});
        char* dst = static_cast<char*>(picked.raw());
        for (size_t k = 0; k < u; ++k) std::memcpy(dst + k * row_bytes, src + first[k] * row_bytes, row_bytes);
        PX_RETURN_IF_ERROR(move::transpose(picked.raw(), y->raw(), esize, {un, outer, inner}, {1, 0, 2}, 1));
      } else if (row_bytes > 0) {
        char* dst = static_cast<char*>(y->raw());
        for (size_t k = 0; k < u; ++k) std::memcpy(dst + k * row_bytes, src + first[k] * row_bytes, row_bytes);
      }
    }
    auto put = [&](size_t i, const std::vector<int64_t>& v) -> Status {
      if (!ctx.has_output(i)) return Status::ok();
      PX_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(i, DataType::kInt64, {static_cast<int64_t>(v.size())}));
      move::copy_bytes(t->raw(), v.data(), v.size() * sizeof(int64_t));
      return Status::ok();
    };
    PX_RETURN_IF_ERROR(put(1, first));
    PX_RETURN_IF_ERROR(put(2, inverse));
    PX_RETURN_IF_ERROR(put(3, counts));
    return Status::ok();
  }

 private:
  // Groups the rows (m > 0 elements each) of `rows_t`: `first` and `counts`
  // per group in sorted order, `inverse` the group of each row.
  static Status sort_rows(const Tensor& rows_t, int64_t m, std::vector<int64_t>& first, std::vector<int64_t>& counts,
                          std::vector<int64_t>& inverse) {
    return visit_all(rows_t.dtype(), [&]<typename T>() {
      const T* data = rows_t.data<T>();
      auto row_less = [&](int64_t a, int64_t b) {
        const T* p = data + a * m;
        const T* q = data + b * m;
        for (int64_t i = 0; i < m; ++i) {
          if (less_key(p[i], q[i])) return true;
          if (less_key(q[i], p[i])) return false;
        }
        return false;
      };
      std::vector<int64_t> order(inverse.size());
      std::iota(order.begin(), order.end(), int64_t{0});
      std::stable_sort(order.begin(), order.end(), row_less);
      for (size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || row_less(order[k - 1], order[k])) {
          first.push_back(order[k]);  // stable: the earliest of its group
          counts.push_back(0);
        }
        counts.back() += 1;
        inverse[static_cast<size_t>(order[k])] = static_cast<int64_t>(first.size() - 1);
      }
      return Status::ok();
    });
  }

  Result<size_t> axis_for(size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (axis_ < -r || axis_ >= r)
      return error(StatusCode::kInvalidArgument, "Unique 'axis' ", axis_, " is out of range for rank ", r);
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

  bool sorted_ = true;
  bool has_axis_ = false;
  int64_t axis_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "Unique", 11, kMaxOpset, make_kernel<UniqueKernel>);

}  // namespace parallax
