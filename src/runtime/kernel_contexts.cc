#include "runtime/kernel_contexts.h"

#include "core/shape_arith.h"
#include "core/status_macros.h"

namespace parallax {

namespace {
const Shape kNoShape;
const Tensor kNoTensor;
}  // namespace

Status check_tensor_bytes(DataType type, const Shape& shape, size_t max_bytes) {
  const size_t elem = element_size(type);
  size_t bytes = elem;
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      return error(StatusCode::kInvalidArgument, "shape ", shape_to_string(shape), " has a negative dimension");
    empty |= d == 0;
  }
  // A shape too large for memory is ResourceExhausted (it names the limit);
  // the extent rule then catches empty tensors with huge other dims.
  if (!empty) {
    for (int64_t d : shape) {
      const auto ud = static_cast<size_t>(d);
      if (bytes > max_bytes / ud)
        return error(StatusCode::kResourceExhausted, "a ", data_type_name(type), " tensor of shape ",
                     shape_to_string(shape), " exceeds the tensor size limit of ", max_bytes,
                     " bytes (SessionOptions::max_tensor_bytes)");
      bytes *= ud;
    }
    if (bytes > max_bytes)
      return error(StatusCode::kResourceExhausted, "a ", data_type_name(type), " tensor of shape ",
                   shape_to_string(shape), " needs ", bytes, " bytes, over the tensor size limit of ", max_bytes,
                   " bytes (SessionOptions::max_tensor_bytes)");
  }
  PX_RETURN_IF_ERROR(check_shape_extent(shape));
  return Status::ok();
}

BasicInferContext::BasicInferContext(const Node* node, std::vector<Input> inputs)
    : InferContext(node), inputs_(std::move(inputs)), outputs_(node->outputs.size()) {}

DataType BasicInferContext::input_dtype(size_t i) const {
  return i < inputs_.size() ? inputs_[i].dtype : DataType::kUndefined;
}
const Shape& BasicInferContext::input_shape(size_t i) const {
  return i < inputs_.size() && inputs_[i].shape ? *inputs_[i].shape : kNoShape;
}
const Tensor* BasicInferContext::input_value(size_t i) const { return i < inputs_.size() ? inputs_[i].value : nullptr; }

void BasicInferContext::set_output(size_t i, DataType type, Shape shape) {
  if (i >= outputs_.size()) return;
  outputs_[i] = Output{type, std::move(shape), false, true};
}
void BasicInferContext::set_output_dynamic(size_t i, DataType type) {
  if (i >= outputs_.size()) return;
  outputs_[i] = Output{type, {}, true, true};
}
Status BasicInferContext::check_non_tensor_inputs(const OpKernel& kernel) const {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if ((inputs_[i].dtype == DataType::kSequence || inputs_[i].dtype == DataType::kNone) &&
        !kernel.accepts_non_tensor(i))
      return error(StatusCode::kInvalidModel, node().describe(), ": input ", i, " is ",
                   inputs_[i].dtype == DataType::kSequence ? "a sequence" : "an empty optional",
                   ", and this input takes a tensor");
  return Status::ok();
}

Status BasicInferContext::defer() {
  deferred_ = true;
  return Status::ok();
}

BasicComputeContext::BasicComputeContext(const Node* node, std::span<const Tensor* const> inputs,
                                         std::span<Tensor* const> outputs, std::span<const Tensor> implicit,
                                         int threads, size_t max_tensor_bytes)
    : ComputeContext(node),
      inputs_(inputs),
      outputs_(outputs),
      implicit_(implicit),
      threads_(threads),
      max_tensor_bytes_(max_tensor_bytes) {}

const Tensor& BasicComputeContext::input(size_t i) const {
  return i < inputs_.size() && inputs_[i] ? *inputs_[i] : kNoTensor;
}

Result<Tensor*> BasicComputeContext::allocate_output(size_t i, DataType type, Shape shape) {
  if (i >= outputs_.size() || outputs_[i] == nullptr)
    return error(StatusCode::kInternal, node().describe(), ": output ", i, " is not requested");
  for (int64_t d : shape)
    if (d < 0) return error(StatusCode::kInvalidArgument, node().describe(), ": negative output dimension");
  Status size_ok = check_tensor_bytes(type, shape, max_tensor_bytes_);
  if (!size_ok.is_ok()) return size_ok.with_context(node().describe() + ": output " + std::to_string(i));
  *outputs_[i] = pool_ ? pool_->allocate(type, std::move(shape)) : Tensor::allocate(type, std::move(shape));
  return outputs_[i];
}

Status BasicComputeContext::set_dynamic_output(size_t i, Tensor tensor) {
  if (i >= outputs_.size() || outputs_[i] == nullptr)
    return error(StatusCode::kInternal, node().describe(), ": output ", i, " is not requested");
  // Made by the kernel (a control-flow body's result, a stacked scan): the
  // same admission rule as any other shape.
  Status extent_ok = check_shape_extent(tensor.shape());
  if (!extent_ok.is_ok()) return extent_ok.with_context(node().describe() + ": output " + std::to_string(i));
  *outputs_[i] = std::move(tensor);
  return Status::ok();
}

}  // namespace parallax
