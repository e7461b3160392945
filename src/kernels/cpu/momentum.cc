// Momentum (ai.onnx.preview.training, opset 1): inputs R, T, X_1..n,
// G_1..n, V_1..n; outputs X_new_1..n, V_new_1..n; attributes alpha, beta,
// mode ("standard" or "nesterov"), norm_coefficient:
//   g = norm_coefficient * X + G;  b = T > 0 ? beta : 1
//   V_new = alpha * V + b * g
//   X_new = X - R * V_new                   (standard)
//   X_new = X - R * (g + alpha * V_new)     (nesterov)
#include "kernels/cpu/training_optimizer.h"

namespace parallax {
namespace {

class MomentumKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<MomentumKernel>();
    PX_ASSIGN_OR_RETURN(k->alpha_, ctx.attrs().get_float("alpha"));
    PX_ASSIGN_OR_RETURN(k->beta_, ctx.attrs().get_float("beta"));
    PX_ASSIGN_OR_RETURN(k->norm_, ctx.attrs().get_float("norm_coefficient"));
    Result<std::string> mode = ctx.attrs().get_string("mode");
    if (!mode.is_ok()) return mode.status();
    if (*mode != "standard" && *mode != "nesterov")
      return error(StatusCode::kInvalidArgument, "Momentum: mode must be 'standard' or 'nesterov', not '", *mode, "'");
    k->nesterov_ = *mode == "nesterov";
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override { return training::infer_like_x(ctx, 3, 2, "Momentum"); }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(size_t n, training::tensors_per_run(ctx.num_inputs(), ctx.num_outputs(), 3, 2, "Momentum"));
    PX_ASSIGN_OR_RETURN(training::Scalars s, training::read_r_t(ctx));
    return training::for_each_tensor(ctx, n, [&]<typename T>(size_t i) {
      const T* x = ctx.input(2 + i).data<T>();
      const T* g = ctx.input(2 + n + i).data<T>();
      const T* v = ctx.input(2 + 2 * n + i).data<T>();
      T* x_new = ctx.output(i).data<T>();
      T* v_new = ctx.output(n + i).data<T>();
      const T r = static_cast<T>(s.r), alpha = static_cast<T>(alpha_);
      const T b = s.t > 0 ? static_cast<T>(beta_) : T(1);
      for (int64_t j = 0, e = ctx.input(2 + i).numel(); j < e; ++j) {
        const T gr = static_cast<T>(norm_) * x[j] + g[j];
        v_new[j] = alpha * v[j] + b * gr;
        x_new[j] = nesterov_ ? x[j] - r * (gr + alpha * v_new[j]) : x[j] - r * v_new[j];
      }
      return Status::ok();
    });
  }

 private:
  float alpha_ = 0.0f, beta_ = 0.0f, norm_ = 0.0f;
  bool nesterov_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("ai.onnx.preview.training", "Momentum", 1, kMaxOpset, MomentumKernel::create);

}  // namespace parallax
