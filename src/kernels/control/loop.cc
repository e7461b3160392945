// Loop: runs `body` while (i < M) and cond, carrying N values and stacking
// K per-iteration scan outputs. All outputs are dynamic. An iteration past
// SessionOptions::max_loop_iterations fails the run: with M absent or
// INT64_MAX and a condition that stays true, nothing else would stop it.
#include <string>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/control/axis_slices.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class LoopKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<LoopKernel>();
    PX_ASSIGN_OR_RETURN(k->body_, ctx.compile_subgraph("body"));
    if (ctx.num_inputs() < 2) return error(StatusCode::kInvalidModel, "Loop needs inputs M and cond (may be empty)");
    k->carried_ = ctx.num_inputs() - 2;
    if (k->body_->num_inputs() != k->carried_ + 2)
      return error(StatusCode::kInvalidModel, "Loop body takes ", k->body_->num_inputs(), " inputs, expected ",
                   k->carried_ + 2);
    if (k->body_->num_outputs() < k->carried_ + 1)
      return error(StatusCode::kInvalidModel, "Loop body must output cond and ", k->carried_, " carried values");
    k->scans_ = k->body_->num_outputs() - 1 - k->carried_;
    k->max_iterations_ = ctx.max_loop_iterations();
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    for (size_t i = 0; i < ctx.num_outputs(); ++i)
      ctx.set_output_dynamic(i, i < carried_ ? ctx.input_dtype(i + 2) : DataType::kUndefined);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    int64_t max_trips = INT64_MAX;
    if (ctx.has_input(0) && ctx.input(0).numel() > 0) {
      // Exporters write "no limit" as INT64_MAX, which a double cannot hold.
      PX_ASSIGN_OR_RETURN(max_trips, read_int_scalar(ctx.input(0)));
    }
    bool cond = true;
    if (ctx.has_input(1) && ctx.input(1).numel() > 0) {
      PX_ASSIGN_OR_RETURN(double c, read_scalar(ctx.input(1)));
      cond = c != 0;
    }
    std::vector<Tensor> carried;
    for (size_t i = 0; i < carried_; ++i) carried.push_back(ctx.input(i + 2));
    std::vector<std::vector<Tensor>> scans(scans_);
    std::vector<Tensor> body_in(carried_ + 2);
    for (int64_t i = 0; i < max_trips && cond; ++i) {
      if (max_iterations_ > 0 && static_cast<uint64_t>(i) >= max_iterations_) {
        // The executor prefixes the node's name to the error.
        return error(StatusCode::kResourceExhausted, "Loop would run more than ", max_iterations_,
                     " iterations, the limit SessionOptions::max_loop_iterations sets (trip count ",
                     max_trips == INT64_MAX ? std::string("unbounded") : std::to_string(max_trips),
                     ", condition still true)");
      }
      body_in[0] = Tensor::allocate(DataType::kInt64, {});
      *body_in[0].data<int64_t>() = i;
      body_in[1] = Tensor::allocate(DataType::kBool, {});
      *body_in[1].data<bool>() = cond;
      for (size_t c = 0; c < carried_; ++c) body_in[c + 2] = carried[c];
      PX_ASSIGN_OR_RETURN(std::vector<Tensor> outs, body_->run(body_in, ctx.implicit_inputs()));
      PX_ASSIGN_OR_RETURN(double c, read_scalar(outs[0]));
      cond = c != 0;
      for (size_t c2 = 0; c2 < carried_; ++c2) carried[c2] = std::move(outs[c2 + 1]);
      for (size_t s = 0; s < scans_; ++s) {
        Tensor& slice = outs[1 + carried_ + s];
        if (slice.is_sequence() || slice.is_none())
          return error(StatusCode::kInvalidArgument, "Loop scan output ", s, " is a ", data_type_name(slice.dtype()),
                       "; scan outputs are tensors");
        // stack_slices copies the first slice's byte size from every slice.
        if (!scans[s].empty() &&
            (slice.shape() != scans[s].front().shape() || slice.dtype() != scans[s].front().dtype()))
          return error(StatusCode::kInvalidArgument, "Loop scan output ", s,
                       " changes shape or type between iterations");
        // The stacked output is a new shape, past the runtime's admission
        // check: apply the rule as it grows (which also stops a runaway loop).
        Shape stacked = slice.shape();
        stacked.insert(stacked.begin(), static_cast<int64_t>(scans[s].size()) + 1);
        if (Status ok = check_shape_extent(stacked); !ok.is_ok())
          return ok.with_context("Loop scan output " + std::to_string(s));
        scans[s].push_back(std::move(slice));
      }
    }
    for (size_t c = 0; c < carried_; ++c)
      if (ctx.has_output(c)) PX_RETURN_IF_ERROR(ctx.set_dynamic_output(c, std::move(carried[c])));
    for (size_t s = 0; s < scans_; ++s) {
      if (!ctx.has_output(carried_ + s)) continue;
      Tensor stacked = scans[s].empty() ? Tensor::allocate(DataType::kFloat32, {0}) : stack_slices(scans[s], 0, false);
      PX_RETURN_IF_ERROR(ctx.set_dynamic_output(carried_ + s, std::move(stacked)));
    }
    return Status::ok();
  }

  // Carried values may be sequences (a list built up over the iterations)
  // and empty optionals.
  bool accepts_non_tensor(size_t input) const override { return input >= 2; }

 private:
  std::unique_ptr<Subgraph> body_;
  size_t carried_ = 0, scans_ = 0;
  uint64_t max_iterations_ = 0;  // 0: unlimited
};

}  // namespace

PX_REGISTER_KERNEL("", "Loop", 1, kMaxOpset, make_kernel<LoopKernel>);

}  // namespace parallax
