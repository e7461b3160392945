// SoftmaxCrossEntropyLoss: log-softmax over axis 1 followed by the weighted
// negative log-likelihood; optional second output is the log-probabilities.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/loss_util.h"

namespace parallax {
namespace {

using namespace loss_detail;

class SceLossKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SceLossKernel>();
    PX_ASSIGN_OR_RETURN(k->a_, parse_loss_attrs(ctx, "SoftmaxCrossEntropyLoss"));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output(0, ctx.input_dtype(0), loss_shape(a_, ctx.input_shape(0)));
    if (ctx.has_output(1)) ctx.set_output(1, ctx.input_dtype(0), ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const char* op = "SoftmaxCrossEntropyLoss";
    const Tensor& x = ctx.input(0);
    int64_t N = 0, C = 0, D = 1;
    PX_ASSIGN_OR_RETURN(auto targets, read_int_list(ctx.input(1)));
    PX_RETURN_IF_ERROR(split_dims(op, x.shape(), targets.size(), N, C, D));
    const bool has_w = ctx.has_input(2);
    if (has_w && ctx.input(2).numel() != C)
      return error(StatusCode::kInvalidArgument, op, ": weight has ", ctx.input(2).numel(), " elements for ", C,
                   " classes");
    // The weights are read as the input's element type: another type would be read past its end.
    if (has_w && ctx.input(2).dtype() != x.dtype())
      return error(StatusCode::kInvalidArgument, op, ": weight is ", data_type_name(ctx.input(2).dtype()),
                   " but the input is ", data_type_name(x.dtype()));
    auto run = [&]<typename T>() -> Status {
      std::vector<T> own;
      T* lp;
      if (ctx.has_output(1)) {
        lp = ctx.output(1).data<T>();
      } else {
        own.resize(static_cast<size_t>(x.numel()));
        lp = own.data();
      }
      const T* in = x.data<T>();
      // Over the N * D positions in one loop, and none when X is empty: an X
      // of [2^31, 0, 0] would otherwise count 2^31 empty rows (fuzz find).
      const int64_t positions = C > 0 ? N * D : 0;
      for (int64_t i = 0; i < positions; ++i) {
        const int64_t n = i / D, d = i % D;
        const T* p = in + n * C * D + d;
        T* q = lp + n * C * D + d;
        T m = -std::numeric_limits<T>::infinity();
        for (int64_t c = 0; c < C; ++c) m = std::max(m, p[c * D]);
        T s = T(0);
        for (int64_t c = 0; c < C; ++c) s += std::exp(p[c * D] - m);
        T ls = std::log(s) + m;
        for (int64_t c = 0; c < C; ++c) q[c * D] = p[c * D] - ls;
      }
      return nll<T>(op, a_, lp, targets, has_w ? ctx.input(2).data<T>() : nullptr, N, C, D, ctx.output(0).data<T>());
    };
    if (x.dtype() == DataType::kFloat32) return run.template operator()<float>();
    if (x.dtype() == DataType::kFloat64) return run.template operator()<double>();
    return error(StatusCode::kUnsupported, op, ": element type ", data_type_name(x.dtype()), " is not supported");
  }

 private:
  LossAttrs a_;
};

}  // namespace

PX_REGISTER_KERNEL("", "SoftmaxCrossEntropyLoss", 12, kMaxOpset, make_kernel<SceLossKernel>);

}  // namespace parallax
