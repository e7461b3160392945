// If: runs then_branch or else_branch. Outputs are dynamic: the two branches
// may produce different shapes, so they are known only after the run.
#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class IfKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<IfKernel>();
    PX_ASSIGN_OR_RETURN(k->then_, ctx.compile_subgraph("then_branch"));
    PX_ASSIGN_OR_RETURN(k->else_, ctx.compile_subgraph("else_branch"));
    if (k->then_->num_outputs() != ctx.num_outputs() || k->else_->num_outputs() != ctx.num_outputs())
      return error(StatusCode::kInvalidModel, "both branches must produce ", ctx.num_outputs(), " outputs");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dynamic(i, DataType::kUndefined);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& cond = ctx.input(0);
    if (cond.numel() != 1) return error(StatusCode::kInvalidArgument, "condition must have one element");
    PX_ASSIGN_OR_RETURN(double c, read_scalar(cond));
    Subgraph& branch = c != 0 ? *then_ : *else_;
    PX_ASSIGN_OR_RETURN(std::vector<Tensor> outs, branch.run({}, ctx.implicit_inputs()));
    for (size_t i = 0; i < outs.size(); ++i)
      if (ctx.has_output(i)) PX_RETURN_IF_ERROR(ctx.set_dynamic_output(i, std::move(outs[i])));
    return Status::ok();
  }

 private:
  std::unique_ptr<Subgraph> then_, else_;
};

}  // namespace

PX_REGISTER_KERNEL("", "If", 1, kMaxOpset, make_kernel<IfKernel>);

}  // namespace parallax
