// Adam (ai.onnx.preview.training, opset 1): inputs R, T, X_1..n, G_1..n,
// V_1..n, H_1..n; outputs X_new_1..n, V_new_1..n, H_new_1..n; attributes
// alpha (0.9), beta (0.999), epsilon (1e-6), norm_coefficient (0),
// norm_coefficient_post (0):
//   g = norm_coefficient * X + G
//   V_new = alpha * V + (1 - alpha) * g;  H_new = beta * H + (1 - beta) * g * g
//   r = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R
//   X_new = (1 - norm_coefficient_post) * (X - r * V_new / (sqrt(H_new) + epsilon))
#include <cmath>

#include "kernels/cpu/training_optimizer.h"

namespace parallax {
namespace {

class AdamKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<AdamKernel>();
    PX_ASSIGN_OR_RETURN(k->alpha_, ctx.attrs().get_float("alpha", 0.9f));
    PX_ASSIGN_OR_RETURN(k->beta_, ctx.attrs().get_float("beta", 0.999f));
    PX_ASSIGN_OR_RETURN(k->epsilon_, ctx.attrs().get_float("epsilon", 1e-6f));
    PX_ASSIGN_OR_RETURN(k->norm_, ctx.attrs().get_float("norm_coefficient", 0.0f));
    PX_ASSIGN_OR_RETURN(k->norm_post_, ctx.attrs().get_float("norm_coefficient_post", 0.0f));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return training::infer_like_x(ctx, 4, 3, "Adam"); }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(size_t n, training::tensors_per_run(ctx.num_inputs(), ctx.num_outputs(), 4, 3, "Adam"));
    PX_ASSIGN_OR_RETURN(training::Scalars s, training::read_r_t(ctx));
    const double t = static_cast<double>(s.t);
    const double r = s.t > 0 ? s.r * std::sqrt(1.0 - std::pow(beta_, t)) / (1.0 - std::pow(alpha_, t)) : s.r;
    return training::for_each_tensor(ctx, n, [&]<typename T>(size_t i) {
      const T* x = ctx.input(2 + i).data<T>();
      const T* g = ctx.input(2 + n + i).data<T>();
      const T* v = ctx.input(2 + 2 * n + i).data<T>();
      const T* h = ctx.input(2 + 3 * n + i).data<T>();
      T* x_new = ctx.output(i).data<T>();
      T* v_new = ctx.output(n + i).data<T>();
      T* h_new = ctx.output(2 * n + i).data<T>();
      const T alpha = static_cast<T>(alpha_), beta = static_cast<T>(beta_);
      for (int64_t j = 0, e = ctx.input(2 + i).numel(); j < e; ++j) {
        const T gr = static_cast<T>(norm_) * x[j] + g[j];
        v_new[j] = alpha * v[j] + (T(1) - alpha) * gr;
        h_new[j] = beta * h[j] + (T(1) - beta) * gr * gr;
        const T step = x[j] - static_cast<T>(r) * v_new[j] / (std::sqrt(h_new[j]) + static_cast<T>(epsilon_));
        x_new[j] = (T(1) - static_cast<T>(norm_post_)) * step;
      }
      return Status::ok();
    });
  }

 private:
  float alpha_ = 0.9f, beta_ = 0.999f, epsilon_ = 1e-6f, norm_ = 0.0f, norm_post_ = 0.0f;
};

}  // namespace

PX_REGISTER_KERNEL("ai.onnx.preview.training", "Adam", 1, kMaxOpset, AdamKernel::create);

}  // namespace parallax
