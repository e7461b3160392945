// Adagrad (ai.onnx.preview.training, opset 1): inputs R, T, X_1..n, G_1..n,
// H_1..n; outputs X_new_1..n, H_new_1..n; attributes decay_factor (0),
// epsilon (1e-6), norm_coefficient (0):
//   r = R / (1 + T * decay_factor);  g = norm_coefficient * X + G
//   H_new = H + g * g;  X_new = X - r * g / (sqrt(H_new) + epsilon)
#include <cmath>

#include "kernels/cpu/training_optimizer.h"

namespace parallax {
namespace {

class AdagradKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<AdagradKernel>();
    PX_ASSIGN_OR_RETURN(k->decay_, ctx.attrs().get_float("decay_factor", 0.0f));
    PX_ASSIGN_OR_RETURN(k->epsilon_, ctx.attrs().get_float("epsilon", 1e-6f));
    PX_ASSIGN_OR_RETURN(k->norm_, ctx.attrs().get_float("norm_coefficient", 0.0f));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return training::infer_like_x(ctx, 3, 2, "Adagrad"); }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(size_t n, training::tensors_per_run(ctx.num_inputs(), ctx.num_outputs(), 3, 2, "Adagrad"));
    PX_ASSIGN_OR_RETURN(training::Scalars s, training::read_r_t(ctx));
    const double r = s.r / (1.0 + static_cast<double>(s.t) * decay_);
    return training::for_each_tensor(ctx, n, [&]<typename T>(size_t i) {
      const T* x = ctx.input(2 + i).data<T>();
      const T* g = ctx.input(2 + n + i).data<T>();
      const T* h = ctx.input(2 + 2 * n + i).data<T>();
      T* x_new = ctx.output(i).data<T>();
      T* h_new = ctx.output(n + i).data<T>();
      for (int64_t j = 0, e = ctx.input(2 + i).numel(); j < e; ++j) {
        const T gr = static_cast<T>(norm_) * x[j] + g[j];
        h_new[j] = h[j] + gr * gr;
        x_new[j] = x[j] - static_cast<T>(r) * gr / (std::sqrt(h_new[j]) + static_cast<T>(epsilon_));
      }
      return Status::ok();
    });
  }

 private:
  float decay_ = 0.0f, epsilon_ = 1e-6f, norm_ = 0.0f;
};

}  // namespace

PX_REGISTER_KERNEL("ai.onnx.preview.training", "Adagrad", 1, kMaxOpset, AdagradKernel::create);

}  // namespace parallax
