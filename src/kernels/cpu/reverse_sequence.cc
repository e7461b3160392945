// ReverseSequence: for each batch entry b, reverses the first
// sequence_lens[b] steps along `time_axis`; later steps are copied as is.
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ReverseSequenceKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ReverseSequenceKernel>();
    PX_ASSIGN_OR_RETURN(k->time_axis_, ctx.attrs().get_int("time_axis", 0));
    PX_ASSIGN_OR_RETURN(k->batch_axis_, ctx.attrs().get_int("batch_axis", 1));
    if (!((k->time_axis_ == 0 && k->batch_axis_ == 1) || (k->time_axis_ == 1 && k->batch_axis_ == 0)))
      return error(StatusCode::kInvalidModel, "ReverseSequence 'time_axis' and 'batch_axis' must be 0 and 1 in some order");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    if (ctx.input_shape(0).size() < 2)
      return error(StatusCode::kInvalidArgument, "ReverseSequence needs an input of rank >= 2");
    return infer_same_as_input0(ctx);
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    const Shape& s = x.shape();
    if (s.size() < 2) return error(StatusCode::kInvalidArgument, "ReverseSequence needs an input of rank >= 2");
    const int64_t steps = s[static_cast<size_t>(time_axis_)], batch = s[static_cast<size_t>(batch_axis_)];
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> lens, move::int_list_of(ctx.input(1), "ReverseSequence 'sequence_lens'"));
    if (static_cast<int64_t>(lens.size()) != batch)
      return error(StatusCode::kInvalidArgument, "ReverseSequence 'sequence_lens' has ", lens.size(),
                   " entries for a batch of ", batch);
    for (int64_t l : lens)
      if (l < 0 || l > steps)
        return error(StatusCode::kInvalidArgument, "ReverseSequence length ", l, " is outside [0, ", steps, "]");
    const size_t block = static_cast<size_t>(move::prod(s, 2, s.size())) * esize;
    // Element-block strides of the time and batch axes.
    const int64_t t_stride = time_axis_ == 0 ? batch : 1;
    const int64_t b_stride = batch_axis_ == 0 ? steps : 1;
    const char* src = static_cast<const char*>(x.raw());
    char* dst = static_cast<char*>(y.raw());
    parallel_for(ctx.num_threads(), batch, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b) {
        const int64_t len = lens[static_cast<size_t>(b)];
        for (int64_t t = 0; t < steps; ++t) {
          const int64_t from = t < len ? len - 1 - t : t;
          std::memcpy(dst + static_cast<size_t>(t * t_stride + b * b_stride) * block,
                      src + static_cast<size_t>(from * t_stride + b * b_stride) * block, block);
        }
      }
    });
    return Status::ok();
  }

 private:
  int64_t time_axis_ = 0, batch_axis_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "ReverseSequence", 10, kMaxOpset, make_kernel<ReverseSequenceKernel>);

}  // namespace parallax
