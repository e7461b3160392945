// Shared implementation of ArgMax / ArgMin: int64 index of the extreme value
// along `axis` (keepdims, select_last_index from opset 12).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace arg_detail {

template <bool kMax>
class ArgReduceKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ArgReduceKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 0));
    PX_ASSIGN_OR_RETURN(int64_t keep, ctx.attrs().get_int("keepdims", 1));
    PX_ASSIGN_OR_RETURN(int64_t last, ctx.attrs().get_int("select_last_index", 0));
    k->keepdims_ = keep != 0;
    k->last_ = last != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& in = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, static_cast<int64_t>(in.size())));
    Shape out;
    for (size_t i = 0; i < in.size(); ++i) {
      if (static_cast<int64_t>(i) != axis) out.push_back(in[i]);
      else if (keepdims_) out.push_back(1);
    }
    ctx.set_output(0, DataType::kInt64, out);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    int64_t* y = ctx.output(0).data<int64_t>();
    const int64_t rank = static_cast<int64_t>(x.rank());
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
    int64_t outer = 1, inner = 1, n = rank == 0 ? 1 : x.dim(static_cast<size_t>(axis));
    for (int64_t i = 0; i < axis; ++i) outer *= x.dim(static_cast<size_t>(i));
    for (int64_t i = axis + 1; i < rank; ++i) inner *= x.dim(static_cast<size_t>(i));
    if (outer * inner == 0) return Status::ok();
    if (n == 0) return error(StatusCode::kInvalidArgument, "cannot take ", kMax ? "ArgMax" : "ArgMin", " over an empty axis");
    return visit_numeric(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      const bool last = last_;
      auto better = [last](T v, T best) {
        if constexpr (kMax) return last ? v >= best : v > best;
        else return last ? v <= best : v < best;
      };
      parallel_for(ctx.num_threads(), outer, std::max<int64_t>(1, (1 << 14) / (n * inner)), [&](int64_t b, int64_t e) {
        std::vector<T> best(static_cast<size_t>(inner));
        for (int64_t o = b; o < e; ++o) {
          const T* base = in + o * n * inner;
          int64_t* out = y + o * inner;
          if (inner == 1) {
            T bv = base[0];
            int64_t bi = 0;
            for (int64_t i = 1; i < n; ++i)
              if (better(base[i], bv)) { bv = base[i]; bi = i; }
            out[0] = bi;
            continue;
          }
          for (int64_t j = 0; j < inner; ++j) { best[j] = base[j]; out[j] = 0; }
          for (int64_t i = 1; i < n; ++i) {
            const T* row = base + i * inner;
            for (int64_t j = 0; j < inner; ++j)
              if (better(row[j], best[j])) { best[j] = row[j]; out[j] = i; }
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  int64_t axis_ = 0;
  bool keepdims_ = true;
  bool last_ = false;
};

}  // namespace arg_detail
}  // namespace parallax
