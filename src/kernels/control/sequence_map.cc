// SequenceMap: runs `body` once per position of the input sequence. The
// body's inputs are that position's item of every sequence input and each
// tensor input whole; its outputs, one per position, make the output
// sequences. Every sequence input must be as long as the first.
#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class SequenceMapKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SequenceMapKernel>();
    PX_ASSIGN_OR_RETURN(k->body_, ctx.compile_subgraph("body"));
    if (ctx.num_inputs() == 0) return error(StatusCode::kInvalidModel, "SequenceMap needs an input sequence");
    if (k->body_->num_inputs() != ctx.num_inputs())
      return error(StatusCode::kInvalidModel, "SequenceMap body takes ", k->body_->num_inputs(),
                   " inputs, the node has ", ctx.num_inputs());
    if (k->body_->num_outputs() != ctx.num_outputs())
      return error(StatusCode::kInvalidModel, "SequenceMap body makes ", k->body_->num_outputs(),
                   " outputs, the node has ", ctx.num_outputs());
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dynamic(i, DataType::kSequence);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(const Tensor* first, sequence_input(ctx, 0));
    const size_t length = first->items().size();
    const size_t n_in = ctx.num_inputs();
    for (size_t i = 0; i < n_in; ++i) {
      if (!ctx.has_input(i)) return error(StatusCode::kInvalidArgument, "input ", i, " is missing");
      const Tensor& in = ctx.input(i);
      if (in.is_sequence() && in.items().size() != length)
        return error(StatusCode::kInvalidArgument, "input ", i, " holds ", in.items().size(),
                     " tensors, input 0 holds ", length);
    }
    const size_t n_out = ctx.num_outputs();
    std::vector<std::vector<Tensor>> outputs(n_out);
    std::vector<DataType> elements(n_out, DataType::kUndefined);
    std::vector<Tensor> body_in(n_in);
    for (size_t k = 0; k < length; ++k) {
      for (size_t i = 0; i < n_in; ++i) {
        const Tensor& in = ctx.input(i);
        body_in[i] = in.is_sequence() ? in.items()[k] : in;
      }
      PX_ASSIGN_OR_RETURN(std::vector<Tensor> outs, body_->run(body_in, ctx.implicit_inputs()));
      for (size_t o = 0; o < n_out; ++o) {
        if (outs[o].is_sequence())
          return error(StatusCode::kInvalidArgument, "SequenceMap body output ", o, " is a sequence");
        PX_ASSIGN_OR_RETURN(elements[o], joined_element_type(elements[o], outs[o]));
        outputs[o].push_back(std::move(outs[o]));
      }
    }
    for (size_t o = 0; o < n_out; ++o)
      if (ctx.has_output(o))
        PX_RETURN_IF_ERROR(ctx.set_dynamic_output(o, Tensor::sequence(elements[o], std::move(outputs[o]))));
    return Status::ok();
  }

  bool accepts_non_tensor(size_t) const override { return true; }

 private:
  std::unique_ptr<Subgraph> body_;
};

}  // namespace

PX_REGISTER_KERNEL("", "SequenceMap", 17, kMaxOpset, make_kernel<SequenceMapKernel>);

}  // namespace parallax
