// MeanVarianceNormalization (opsets 9-17): y = (x - mean) / (sqrt(var) + 1e-9)
// with mean and variance over `axes` (default [0, 2, 3]), as the ONNX
// function body defines it.
#include <cmath>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class MvnKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<MvnKernel>();
    PX_ASSIGN_OR_RETURN(k->axes_, ctx.attrs().get_ints("axes", std::vector<int64_t>{0, 2, 3}));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return infer_same_as_input0(ctx); }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    size_t rank = x.rank();
    std::vector<bool> reduce(rank, false);
    for (int64_t a : axes_) {
      PX_ASSIGN_OR_RETURN(int64_t ax, normalize_axis(a, static_cast<int64_t>(rank)));
      reduce[static_cast<size_t>(ax)] = true;
    }
    // Map every element to its group (the index over the kept dims).
    Shape kept;
    for (size_t d = 0; d < rank; ++d)
      if (!reduce[d]) kept.push_back(x.dim(d));
    int64_t groups = shape_numel(kept), n = x.numel();
    std::vector<int64_t> group_of(static_cast<size_t>(n));
    {
      std::vector<int64_t> idx(rank, 0), ks = strides_of(kept);
      for (int64_t i = 0; i < n; ++i) {
        int64_t g = 0;
        size_t kd = 0;
        for (size_t d = 0; d < rank; ++d)
          if (!reduce[d]) g += idx[d] * ks[kd++];
        group_of[static_cast<size_t>(i)] = g;
        for (size_t d = rank; d-- > 0;) {
          if (++idx[d] < x.dim(d)) break;
          idx[d] = 0;
        }
      }
    }
    auto run = [&]<typename T>() -> Status {
      const T* xp = x.data<T>();
      T* yp = ctx.output(0).data<T>();
      std::vector<double> s(static_cast<size_t>(groups), 0.0), s2(static_cast<size_t>(groups), 0.0);
      double cnt = groups > 0 ? static_cast<double>(n) / static_cast<double>(groups) : 1.0;
      for (int64_t i = 0; i < n; ++i) s[group_of[i]] += static_cast<double>(xp[i]);
      for (auto& v : s) v /= cnt;
      for (int64_t i = 0; i < n; ++i) {
        double d = static_cast<double>(xp[i]) - s[group_of[i]];
        s2[group_of[i]] += d * d;
      }
      for (auto& v : s2) v = std::sqrt(v / cnt) + 1e-9;
      for (int64_t i = 0; i < n; ++i)
        yp[i] = static_cast<T>((static_cast<double>(xp[i]) - s[group_of[i]]) / s2[group_of[i]]);
      return Status::ok();
    };
    return visit_float(x.dtype(), run);
  }

 private:
  std::vector<int64_t> axes_;
};

}  // namespace

PX_REGISTER_KERNEL("", "MeanVarianceNormalization", 1, kMaxOpset, make_kernel<MvnKernel>);

}  // namespace parallax
