// TopK: the k largest (or smallest) values along an axis and their int64
// indices. k is an attribute before opset 10 and input 1 from it; opset 11
// adds `largest` and `sorted`. Equal values are ordered by lower index.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class TopKKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<TopKKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", -1));
    PX_ASSIGN_OR_RETURN(int64_t largest, ctx.attrs().get_int("largest", 1));
    k->largest_ = largest != 0;
    k->k_from_input_ = ctx.opset() >= 10;
    if (!k->k_from_input_) {
      PX_ASSIGN_OR_RETURN(k->k_, ctx.attrs().get_int("k"));
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    int64_t k = k_;
    if (k_from_input_) {
      const Tensor* kt = ctx.input_value(1);
      if (kt == nullptr) return ctx.defer();
      PX_ASSIGN_OR_RETURN(auto ks, read_int_list(*kt));
      if (ks.size() != 1) return error(StatusCode::kInvalidArgument, "TopK: k must hold one value, got ", ks.size());
      k = ks[0];
    }
    Shape s = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, static_cast<int64_t>(s.size())));
    if (s.empty()) return error(StatusCode::kInvalidArgument, "TopK: input must have rank >= 1");
    if (k < 0 || k > s[static_cast<size_t>(axis)])
      return error(StatusCode::kInvalidArgument, "TopK: k=", k, " is out of range for axis of size ", s[static_cast<size_t>(axis)]);
    s[static_cast<size_t>(axis)] = k;
    ctx.set_output(0, ctx.input_dtype(0), s);
    if (ctx.has_output(1)) ctx.set_output(1, DataType::kInt64, s);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& vals = ctx.output(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    if (rank == 0) return error(StatusCode::kInvalidArgument, "TopK: input must have rank >= 1");
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
    const int64_t n = x.dim(static_cast<size_t>(axis));
    const int64_t k = vals.dim(static_cast<size_t>(axis));
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.dim(static_cast<size_t>(i));
    for (int64_t i = axis + 1; i < rank; ++i) inner *= x.dim(static_cast<size_t>(i));
    int64_t* idx_out = ctx.has_output(1) ? ctx.output(1).data<int64_t>() : nullptr;
    if (k == 0 || outer * inner == 0) return Status::ok();
    return visit_numeric(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = vals.data<T>();
      const bool largest = largest_;
      parallel_for(ctx.num_threads(), outer * inner, std::max<int64_t>(1, 4096 / n), [&](int64_t b, int64_t e) {
        std::vector<int64_t> order(static_cast<size_t>(n));
        std::vector<T> row(static_cast<size_t>(n));
        for (int64_t s = b; s < e; ++s) {
          int64_t o = s / inner, j = s % inner;
          const T* base = in + o * n * inner + j;
          for (int64_t i = 0; i < n; ++i) row[i] = base[i * inner];
          std::iota(order.begin(), order.end(), int64_t{0});
          auto cmp = [&](int64_t a, int64_t c) {
            if constexpr (std::is_floating_point_v<T>) {
              // NaN ranks above every number (first when largest): std::sort
              // needs a strict weak order, and can run out of bounds without one.
              const bool na = std::isnan(row[a]), nc = std::isnan(row[c]);
              if (na || nc) return na && nc ? a < c : (largest ? na : nc);
            }
            if (row[a] != row[c]) return largest ? row[a] > row[c] : row[a] < row[c];
            return a < c;
          };
          if (k < n) std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
          else std::sort(order.begin(), order.end(), cmp);
          T* ob = out + o * k * inner + j;
          int64_t* ib = idx_out ? idx_out + o * k * inner + j : nullptr;
          for (int64_t i = 0; i < k; ++i) {
            ob[i * inner] = row[order[i]];
            if (ib) ib[i * inner] = order[i];
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  int64_t axis_ = -1;
  int64_t k_ = 0;
  bool largest_ = true;
  bool k_from_input_ = true;
};

}  // namespace

PX_REGISTER_KERNEL("", "TopK", 1, kMaxOpset, make_kernel<TopKKernel>);

}  // namespace parallax
