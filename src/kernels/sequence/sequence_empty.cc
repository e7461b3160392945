// SequenceEmpty: a sequence of no tensors, of the element type `dtype`
// (float by default).
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class SequenceEmptyKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SequenceEmptyKernel>();
    PX_ASSIGN_OR_RETURN(int64_t dtype, ctx.attrs().get_int("dtype", static_cast<int64_t>(DataType::kFloat32)));
    k->element_ = static_cast<DataType>(dtype);
    if (!is_supported(k->element_) || static_cast<int64_t>(k->element_) != dtype)
      return error(StatusCode::kUnsupported, "SequenceEmpty 'dtype' ", dtype,
                   " is not an element type Parallax computes with");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kSequence);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override { return ctx.set_dynamic_output(0, Tensor::sequence(element_, {})); }

 private:
  DataType element_ = DataType::kFloat32;
};

}  // namespace

PX_REGISTER_KERNEL("", "SequenceEmpty", 11, kMaxOpset, make_kernel<SequenceEmptyKernel>);

}  // namespace parallax
