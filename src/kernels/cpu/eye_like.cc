// EyeLike: a 2-D tensor shaped like the input with ones on diagonal `k` and
// zeros elsewhere; element type from `dtype` or the input's.
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class EyeLikeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<EyeLikeKernel>();
    PX_ASSIGN_OR_RETURN(k->k_, ctx.attrs().get_int("k", 0));
    if (ctx.attrs().has("dtype")) {
      PX_ASSIGN_OR_RETURN(int64_t dt, ctx.attrs().get_int("dtype"));
      k->dtype_ = static_cast<DataType>(dt);
      if (!is_supported(k->dtype_) && k->dtype_ != DataType::kBool)
        return error(StatusCode::kUnsupported, "EyeLike 'dtype' ", dt, " is not supported");
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& in = ctx.input_shape(0);
    if (in.size() != 2)
      return error(StatusCode::kInvalidArgument, "EyeLike needs a 2-D input, got ", shape_to_string(in));
    ctx.set_output(0, dtype_ == DataType::kUndefined ? ctx.input_dtype(0) : dtype_, in);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    Tensor& y = ctx.output(0);
    const int64_t rows = y.shape()[0], cols = y.shape()[1];
    std::memset(y.raw(), 0, y.nbytes());
    // k is an unbounded attribute: i + k could overflow. A diagonal outside the
    // matrix leaves it all zeros.
    if (k_ >= cols || k_ <= -rows) return Status::ok();
    return visit_all(y.dtype(), [&]<typename T>() {
      T* out = y.data<T>();
      for (int64_t i = 0; i < rows; ++i) {
        const int64_t j = i + k_;
        if (j >= 0 && j < cols) out[i * cols + j] = T(1);
      }
      return Status::ok();
    });
  }

 private:
  int64_t k_ = 0;
  DataType dtype_ = DataType::kUndefined;
};

}  // namespace

PX_REGISTER_KERNEL("", "EyeLike", 9, kMaxOpset, make_kernel<EyeLikeKernel>);

}  // namespace parallax
