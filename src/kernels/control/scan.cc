// Scan (opset 9+): iterates `body` over slices of M scan inputs along their
// scan axes, carrying N state values and stacking K scan outputs.
#include <string>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/control/axis_slices.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ScanKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ScanKernel>();
    PX_ASSIGN_OR_RETURN(k->body_, ctx.compile_subgraph("body"));
    PX_ASSIGN_OR_RETURN(int64_t m, ctx.attrs().get_int("num_scan_inputs"));
    if (m < 1 || static_cast<size_t>(m) > ctx.num_inputs())
      return error(StatusCode::kInvalidModel, "num_scan_inputs ", m, " does not fit ", ctx.num_inputs(), " inputs");
    k->scan_inputs_ = static_cast<size_t>(m);
    k->state_ = ctx.num_inputs() - k->scan_inputs_;
    if (k->body_->num_outputs() < k->state_)
      return error(StatusCode::kInvalidModel, "Scan body must output ", k->state_, " state values");
    k->scan_outputs_ = k->body_->num_outputs() - k->state_;
    PX_ASSIGN_OR_RETURN(k->in_dirs_, ctx.attrs().get_ints("scan_input_directions", std::vector<int64_t>(k->scan_inputs_, 0)));
    PX_ASSIGN_OR_RETURN(k->out_dirs_, ctx.attrs().get_ints("scan_output_directions", std::vector<int64_t>(k->scan_outputs_, 0)));
    PX_ASSIGN_OR_RETURN(k->in_axes_, ctx.attrs().get_ints("scan_input_axes", std::vector<int64_t>(k->scan_inputs_, 0)));
    PX_ASSIGN_OR_RETURN(k->out_axes_, ctx.attrs().get_ints("scan_output_axes", std::vector<int64_t>(k->scan_outputs_, 0)));
    if (k->in_dirs_.size() != k->scan_inputs_ || k->in_axes_.size() != k->scan_inputs_ ||
        k->out_dirs_.size() != k->scan_outputs_ || k->out_axes_.size() != k->scan_outputs_)
      return error(StatusCode::kInvalidModel, "Scan direction/axis attributes do not match the number of scans");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    for (size_t i = 0; i < ctx.num_outputs(); ++i)
      ctx.set_output_dynamic(i, i < state_ ? ctx.input_dtype(i) : DataType::kUndefined);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    int64_t steps = -1;
    std::vector<size_t> axes(scan_inputs_);
    for (size_t s = 0; s < scan_inputs_; ++s) {
      const Tensor& t = ctx.input(state_ + s);
      PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(in_axes_[s], static_cast<int64_t>(t.rank())));
      axes[s] = static_cast<size_t>(axis);
      if (t.rank() == 0) return error(StatusCode::kInvalidArgument, "scan input ", s, " is a scalar");
      if (steps >= 0 && t.dim(axes[s]) != steps)
        return error(StatusCode::kInvalidArgument, "scan inputs have different lengths along their scan axes");
      steps = t.dim(axes[s]);
    }
    std::vector<Tensor> state;
    for (size_t i = 0; i < state_; ++i) state.push_back(ctx.input(i));
    std::vector<std::vector<Tensor>> outs_per_step(scan_outputs_);
    std::vector<Tensor> body_in(state_ + scan_inputs_);
    for (int64_t step = 0; step < steps; ++step) {
      for (size_t i = 0; i < state_; ++i) body_in[i] = state[i];
      for (size_t s = 0; s < scan_inputs_; ++s) {
        int64_t index = in_dirs_[s] ? steps - 1 - step : step;
        body_in[state_ + s] = take_slice(ctx.input(state_ + s), axes[s], index);
      }
      PX_ASSIGN_OR_RETURN(std::vector<Tensor> outs, body_->run(body_in, ctx.implicit_inputs()));
      for (size_t i = 0; i < state_; ++i) state[i] = std::move(outs[i]);
      for (size_t k = 0; k < scan_outputs_; ++k) {
        Tensor& slice = outs[state_ + k];
        // stack_slices copies the first slice's byte size from every slice.
        const std::vector<Tensor>& prev = outs_per_step[k];
        if (!prev.empty() && (slice.shape() != prev.front().shape() || slice.dtype() != prev.front().dtype()))
          return error(StatusCode::kInvalidArgument, "Scan output ", k, " changes shape or type between iterations");
        // The stacked output is a new shape, past the runtime's admission check.
        Shape stacked = slice.shape();
        stacked.insert(stacked.begin(), static_cast<int64_t>(prev.size()) + 1);
        if (Status ok = check_shape_extent(stacked); !ok.is_ok())
          return ok.with_context("Scan output " + std::to_string(k));
        outs_per_step[k].push_back(std::move(slice));
      }
    }
    for (size_t i = 0; i < state_; ++i)
      if (ctx.has_output(i)) PX_RETURN_IF_ERROR(ctx.set_dynamic_output(i, std::move(state[i])));
    for (size_t k = 0; k < scan_outputs_; ++k) {
      if (!ctx.has_output(state_ + k)) continue;
      if (outs_per_step[k].empty()) {
        PX_RETURN_IF_ERROR(ctx.set_dynamic_output(state_ + k, Tensor::allocate(DataType::kFloat32, {0})));
        continue;
      }
      int64_t rank = static_cast<int64_t>(outs_per_step[k].front().rank()) + 1;
      PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(out_axes_[k], rank));
      PX_RETURN_IF_ERROR(ctx.set_dynamic_output(
          state_ + k, stack_slices(outs_per_step[k], static_cast<size_t>(axis), out_dirs_[k] != 0)));
    }
    return Status::ok();
  }

 private:
  std::unique_ptr<Subgraph> body_;
  size_t state_ = 0, scan_inputs_ = 0, scan_outputs_ = 0;
  std::vector<int64_t> in_dirs_, out_dirs_, in_axes_, out_axes_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Scan", 9, kMaxOpset, make_kernel<ScanKernel>);

}  // namespace parallax
