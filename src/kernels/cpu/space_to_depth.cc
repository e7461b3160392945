// SpaceToDepth: [N, C, H, W] -> [N, C*b^2, H/b, W/b], as a 6-D transpose
// (channels ordered (b1, b2, c)).
#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class SpaceToDepthKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SpaceToDepthKernel>();
    PX_ASSIGN_OR_RETURN(k->block_, ctx.attrs().get_int("blocksize"));
    if (k->block_ < 1) return error(StatusCode::kInvalidModel, "SpaceToDepth 'blocksize' must be >= 1");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& in = ctx.input_shape(0);
    PX_RETURN_IF_ERROR(check(in));
    const int64_t b = block_;
    // blocksize is unbounded (any b divides empty H and W): C * b * b is checked.
    auto cb = checked_mul(in[1], b);
    auto cbb = cb.is_ok() ? checked_mul(cb.value(), b) : cb;
    if (!cbb.is_ok())
      return error(StatusCode::kInvalidArgument, "SpaceToDepth 'blocksize' ", b, " overflows the channels of ",
                   shape_to_string(in));
    ctx.set_output(0, ctx.input_dtype(0), {in[0], cbb.value(), in[2] / b, in[3] / b});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_RETURN_IF_ERROR(check(x.shape()));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    const int64_t b = block_;
    const Shape view = {x.shape()[0], x.shape()[1], x.shape()[2] / b, b, x.shape()[3] / b, b};
    return move::transpose(x.raw(), ctx.output(0).raw(), esize, view, {0, 3, 5, 1, 2, 4}, ctx.num_threads());
  }

 private:
  Status check(const Shape& in) const {
    if (in.size() != 4)
      return error(StatusCode::kInvalidArgument, "SpaceToDepth needs a 4-D input, got ", shape_to_string(in));
    if (in[2] % block_ != 0 || in[3] % block_ != 0)
      return error(StatusCode::kInvalidArgument, "SpaceToDepth spatial dims ", shape_to_string(in),
                   " are not divisible by blocksize ", block_);
    return Status::ok();
  }

  int64_t block_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "SpaceToDepth", 1, kMaxOpset, make_kernel<SpaceToDepthKernel>);

}  // namespace parallax
