// DepthToSpace: [N, C, H, W] -> [N, C/b^2, H*b, W*b], as a 6-D transpose.
// DCR (default): channels are (b1, b2, c); CRD (opset 11): (c, b1, b2).
#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class DepthToSpaceKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<DepthToSpaceKernel>();
    PX_ASSIGN_OR_RETURN(k->block_, ctx.attrs().get_int("blocksize"));
    if (k->block_ < 1) return error(StatusCode::kInvalidModel, "DepthToSpace 'blocksize' must be >= 1");
    PX_ASSIGN_OR_RETURN(std::string mode, ctx.attrs().get_string("mode", "DCR"));
    if (mode != "DCR" && mode != "CRD")
      return error(StatusCode::kInvalidModel, "DepthToSpace 'mode' must be DCR or CRD, got '", mode, "'");
    k->crd_ = mode == "CRD";
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& in = ctx.input_shape(0);
    PX_RETURN_IF_ERROR(check(in));
    const int64_t b = block_;
    // blocksize is unbounded: H * b and W * b are checked (b * b is, in check()).
    auto h = checked_mul(in[2], b), w = checked_mul(in[3], b);
    if (!h.is_ok() || !w.is_ok())
      return error(StatusCode::kInvalidArgument, "DepthToSpace 'blocksize' ", b, " overflows the spatial dims of ",
                   shape_to_string(in));
    ctx.set_output(0, ctx.input_dtype(0), {in[0], in[1] / (b * b), h.value(), w.value()});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_RETURN_IF_ERROR(check(x.shape()));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    const int64_t n = x.shape()[0], c = x.shape()[1] / (block_ * block_), h = x.shape()[2], w = x.shape()[3];
    const int64_t b = block_;
    Shape view;
    std::vector<int64_t> perm;
    if (crd_) {
      view = {n, c, b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      view = {n, b, b, c, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    }
    return move::transpose(x.raw(), ctx.output(0).raw(), esize, view, perm, ctx.num_threads());
  }

 private:
  Status check(const Shape& in) const {
    if (in.size() != 4)
      return error(StatusCode::kInvalidArgument, "DepthToSpace needs a 4-D input, got ", shape_to_string(in));
    auto bb = checked_mul(block_, block_);
    if (!bb.is_ok()) return error(StatusCode::kInvalidArgument, "DepthToSpace 'blocksize' ", block_, " is too large");
    if (in[1] % bb.value() != 0)
      return error(StatusCode::kInvalidArgument, "DepthToSpace channels ", in[1], " are not divisible by blocksize^2 ",
                   bb.value());
    return Status::ok();
  }

  int64_t block_ = 1;
  bool crd_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "DepthToSpace", 1, kMaxOpset, make_kernel<DepthToSpaceKernel>);

}  // namespace parallax
