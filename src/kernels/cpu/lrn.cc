// LRN (opsets 1-17): local response normalisation across channels,
// y = x / (bias + alpha / size * sum_{c' in window} x[c']^2) ^ beta.
#include <cmath>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class LrnKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<LrnKernel>();
    PX_ASSIGN_OR_RETURN(k->alpha_, ctx.attrs().get_float("alpha", 1e-4f));
    PX_ASSIGN_OR_RETURN(k->beta_, ctx.attrs().get_float("beta", 0.75f));
    PX_ASSIGN_OR_RETURN(k->bias_, ctx.attrs().get_float("bias", 1.0f));
    PX_ASSIGN_OR_RETURN(k->size_, ctx.attrs().get_int("size"));
    if (k->size_ <= 0) return error(StatusCode::kInvalidArgument, "attribute size must be positive");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (ctx.input_shape(0).size() < 2) return error(StatusCode::kInvalidArgument, "input must have rank >= 2");
    return infer_same_as_input0(ctx);
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    int64_t N = x.dim(0), C = x.dim(1);
    int64_t plane = N * C == 0 ? 0 : x.numel() / (N * C);
    int64_t lo_off = (size_ - 1) / 2, hi_off = size_ - 1 - lo_off;
    auto run = [&]<typename T>() -> Status {
      const T* xp = x.data<T>();
      T* yp = ctx.output(0).data<T>();
      double a = static_cast<double>(alpha_) / static_cast<double>(size_);
      parallel_for(ctx.num_threads(), N * C, 1, [&](int64_t lo, int64_t hi) {
        std::vector<double> sq(static_cast<size_t>(plane));
        for (int64_t r = lo; r < hi; ++r) {
          int64_t n = r / C, c = r % C;
          std::fill(sq.begin(), sq.end(), 0.0);
          for (int64_t cc = std::max<int64_t>(0, c - lo_off); cc <= std::min<int64_t>(C - 1, c + hi_off); ++cc) {
            const T* p = xp + (n * C + cc) * plane;
            for (int64_t i = 0; i < plane; ++i) sq[i] += static_cast<double>(p[i]) * static_cast<double>(p[i]);
          }
          const T* p = xp + r * plane;
          T* q = yp + r * plane;
          for (int64_t i = 0; i < plane; ++i)
            q[i] = static_cast<T>(static_cast<double>(p[i]) / std::pow(bias_ + a * sq[i], static_cast<double>(beta_)));
        }
      });
      return Status::ok();
    };
    return visit_float(x.dtype(), run);
  }

 private:
  float alpha_ = 1e-4f, beta_ = 0.75f, bias_ = 1.0f;
  int64_t size_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "LRN", 1, kMaxOpset, make_kernel<LrnKernel>);

}  // namespace parallax
