// ConstantOfShape: a tensor of the shape given by input 0 (value needed),
// filled with the one-element `value` attribute (default float32 0).
#include <algorithm>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ConstantOfShapeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ConstantOfShapeKernel>();
    if (ctx.attrs().has("value")) {
      PX_ASSIGN_OR_RETURN(Tensor v, ctx.attrs().get_tensor("value"));
      if (v.numel() != 1)
        return error(StatusCode::kInvalidModel, "ConstantOfShape 'value' must hold one element, it has ", v.numel());
      PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(v.dtype()));
      k->dtype_ = v.dtype();
      std::memcpy(&k->bits_, v.raw(), esize);
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* s = ctx.input_value(0);
    if (s == nullptr) return ctx.defer();
    PX_ASSIGN_OR_RETURN(Shape shape, move::int_list_of(*s, "ConstantOfShape input"));
    for (int64_t d : shape)
      if (d < 0) return error(StatusCode::kInvalidArgument, "ConstantOfShape has negative dimension ", d);
    ctx.set_output(0, dtype_, std::move(shape));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return Status::ok();
    if (bits_ == 0) {
      std::memset(y.raw(), 0, y.nbytes());
      return Status::ok();
    }
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(y.dtype()));
    return visit_by_size(move::bytes_type(esize), [&]<typename T>() {
      T v;
      std::memcpy(&v, &bits_, sizeof(T));
      T* out = y.data<T>();
      parallel_for(ctx.num_threads(), y.numel(), 1 << 16, [&](int64_t b, int64_t e) { std::fill(out + b, out + e, v); });
      return Status::ok();
    });
  }

 private:
  DataType dtype_ = DataType::kFloat32;
  uint64_t bits_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "ConstantOfShape", 9, kMaxOpset, make_kernel<ConstantOfShapeKernel>);

}  // namespace parallax
