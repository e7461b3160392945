// The runtime's implementations of the kernel contexts (kernels/op_kernel.h),
// shared by the planner (infer at plan time, folding) and the executor.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <vector>

#include "kernels/op_kernel.h"
#include "runtime/tensor_pool.h"

namespace parallax {

constexpr size_t kNoTensorLimit = std::numeric_limits<size_t>::max();

// Refuses a tensor of `shape` that would need more than `max_bytes` (or whose
// size overflows): checked before every allocation the runtime makes for a
// shape that came out of the model or its inputs, so that an allocation bomb
// gets a ResourceExhausted error instead of std::bad_alloc.
Status check_tensor_bytes(DataType type, const Shape& shape, size_t max_bytes);

class BasicInferContext final : public InferContext {
 public:
  struct Input {
    DataType dtype = DataType::kUndefined;
    const Shape* shape = nullptr;
    const Tensor* value = nullptr;
  };
  struct Output {
    DataType dtype = DataType::kUndefined;
    Shape shape;
    bool dynamic = false;
    bool set = false;
  };

  BasicInferContext(const Node* node, std::vector<Input> inputs);

  DataType input_dtype(size_t i) const override;
  const Shape& input_shape(size_t i) const override;
  const Tensor* input_value(size_t i) const override;
  void set_output(size_t i, DataType type, Shape shape) override;
  void set_output_dynamic(size_t i, DataType type) override;
  Status defer() override;

  // A sequence or an empty optional reaches only inputs whose kernel takes
  // one (OpKernel::accepts_non_tensor): the planner and the executor ask
  // before every infer(), so that a model feeding a list to a tensor op gets
  // an error.
  Status check_non_tensor_inputs(const OpKernel& kernel) const;
  bool deferred() const { return deferred_; }
  std::vector<Output>& outputs() { return outputs_; }

 private:
  std::vector<Input> inputs_;
  std::vector<Output> outputs_;
  bool deferred_ = false;
};

// How an executor ends a step later (ComputeContext::defer): implemented by
// the executor around the scheduler's StepDeferral, asked only by kernels
// that defer (an accelerator's), so CPU steps pay nothing for it.
class StepDeferrer {
 public:
  virtual std::function<void(Status)> defer() = 0;

 protected:
  ~StepDeferrer() = default;
};

// Made on the stack for each step: it views the executor's bindings (no
// copies, no allocation) and lives for the one compute call.
class BasicComputeContext final : public ComputeContext {
 public:
  // `outputs[i]` is where output i lives (null for absent outputs); planned
  // outputs are already bound, dynamic ones are empty until allocated.
  // allocate_output() refuses tensors over `max_tensor_bytes`.
  BasicComputeContext(const Node* node, std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs,
                      std::span<const Tensor> implicit, int threads, size_t max_tensor_bytes = kNoTensorLimit);

  const Tensor& input(size_t i) const override;
  std::span<const Tensor> implicit_inputs() const override { return implicit_; }
  Tensor& output(size_t i) override { return *outputs_[i]; }
  Result<Tensor*> allocate_output(size_t i, DataType type, Shape shape) override;
  // allocate_output() takes its memory from `pool` (null: the heap). Not owned.
  void set_tensor_pool(TensorPool* pool) { pool_ = pool; }
  Status set_dynamic_output(size_t i, Tensor tensor) override;
  int num_threads() const override { return threads_; }
  std::function<void(Status)> defer() override { return deferrer_ ? deferrer_->defer() : nullptr; }
  // Unset: this executor cannot end a step later. Not owned.
  void set_deferrer(StepDeferrer* deferrer) { deferrer_ = deferrer; }
  uint64_t run_id() const override { return run_id_; }
  void set_run_id(uint64_t id) { run_id_ = id; }

 private:
  uint64_t run_id_ = 0;
  StepDeferrer* deferrer_ = nullptr;
  std::span<const Tensor* const> inputs_;
  std::span<Tensor* const> outputs_;
  std::span<const Tensor> implicit_;
  int threads_;
  size_t max_tensor_bytes_;
  TensorPool* pool_ = nullptr;
};

}  // namespace parallax
