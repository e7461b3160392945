// The contract between the runtime and a CPU kernel.
//
// A kernel is created once per node when a model is prepared (it may read
// attributes, constant inputs and prepack weights then), and is then asked
//   1. infer():   output dtypes and shapes from input dtypes and shapes
//                 (and from input *values* where the op needs them, e.g.
//                 Reshape's shape input), and
//   2. compute(): fill the outputs, which the runtime has already allocated
//                 from the shapes infer() gave.
// infer() runs at plan time with whatever is known; when it needs a value
// that is not known yet it calls ctx.defer() and the runtime calls it again
// at run time, when every input value is known. Ops whose output size depends
// on the data (NonZero, NonMaxSuppression) declare their outputs dynamic and
// allocate them inside compute() with ctx.allocate_output().
//
// Kernels register themselves with PX_REGISTER_KERNEL (kernels/registry.h),
// one op per file under kernels/cpu/.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {

class WeightCache;

// A compiled nested graph (If branch, Loop/Scan body) a control-flow kernel can run.
class Subgraph {
 public:
  virtual ~Subgraph() = default;
  // Formal inputs of the body, in order (outer-scope reads come separately).
  virtual size_t num_inputs() const = 0;
  virtual size_t num_outputs() const = 0;
  // Runs the body. `inputs` are the formal inputs, `outer` the values of
  // Graph::outer_inputs in that order. Returns owned output tensors.
  virtual Result<std::vector<Tensor>> run(std::span<const Tensor> inputs, std::span<const Tensor> outer) = 0;
};

class KernelCreateContext {
 public:
  virtual ~KernelCreateContext() = default;
  const Node& node() const { return *node_; }
  const Attributes& attrs() const { return node_->attrs; }
  int opset() const { return node_->opset; }
  size_t num_inputs() const { return node_->num_explicit_inputs; }
  size_t num_outputs() const { return node_->outputs.size(); }
  bool has_input(size_t i) const { return i < node_->num_explicit_inputs && node_->inputs[i].valid(); }
  // Declared dtype of input i (kUndefined if unknown until run time).
  virtual DataType input_dtype(size_t i) const = 0;
  // The constant data of input i when it is an initializer; null otherwise.
  virtual const Tensor* constant_input(size_t i) const = 0;
  // Compiles the graph held in attribute `name` (If / Loop / Scan bodies).
  virtual Result<std::unique_ptr<Subgraph>> compile_subgraph(const std::string& name) const = 0;
  // Where kernels share the weights they keep packed (kernels/weight_cache.h);
  // null: keep a private copy.
  virtual WeightCache* weight_cache() const { return nullptr; }
  // Most iterations a Loop may run per execution (SessionOptions::
  // max_loop_iterations); 0: unlimited.
  virtual uint64_t max_loop_iterations() const { return 0; }
  // SessionOptions::exact_int8: int8 weights that could saturate this CPU's
  // int8 products (core/int8_dot.h) take the kernel's exact path.
  virtual bool exact_int8() const { return false; }

 protected:
  explicit KernelCreateContext(const Node* node) : node_(node) {}
  const Node* node_;
};

class InferContext {
 public:
  virtual ~InferContext() = default;
  size_t num_inputs() const { return node_->num_explicit_inputs; }
  size_t num_outputs() const { return node_->outputs.size(); }
  bool has_input(size_t i) const { return i < node_->num_explicit_inputs && node_->inputs[i].valid(); }
  bool has_output(size_t i) const { return i < node_->outputs.size() && node_->outputs[i].valid(); }
  const Node& node() const { return *node_; }
  int opset() const { return node_->opset; }

  virtual DataType input_dtype(size_t i) const = 0;
  virtual const Shape& input_shape(size_t i) const = 0;
  // Input data when known (constants, values computed from shapes, and
  // always at run time); null otherwise.
  virtual const Tensor* input_value(size_t i) const = 0;

  virtual void set_output(size_t i, DataType type, Shape shape) = 0;
  // The output's size is known only after compute() (it calls allocate_output).
  // `type` may be kUndefined when even the type is decided at run time (If).
  virtual void set_output_dynamic(size_t i, DataType type) = 0;
  // A needed input value is not known yet: ask again at run time.
  virtual Status defer() = 0;

 protected:
  explicit InferContext(const Node* node) : node_(node) {}
  const Node* node_;
};

class ComputeContext {
 public:
  virtual ~ComputeContext() = default;
  size_t num_inputs() const { return node_->num_explicit_inputs; }
  size_t num_outputs() const { return node_->outputs.size(); }
  bool has_input(size_t i) const { return i < node_->num_explicit_inputs && node_->inputs[i].valid(); }
  bool has_output(size_t i) const { return i < node_->outputs.size() && node_->outputs[i].valid(); }
  const Node& node() const { return *node_; }

  virtual const Tensor& input(size_t i) const = 0;
  // Implicit (outer-scope) inputs of control-flow nodes, in Graph::outer_inputs order.
  virtual std::span<const Tensor> implicit_inputs() const = 0;
  // The planned output buffer (shape from infer()). Not valid for dynamic outputs.
  virtual Tensor& output(size_t i) = 0;
  // Allocates a dynamic output (declared with set_output_dynamic).
  virtual Result<Tensor*> allocate_output(size_t i, DataType type, Shape shape) = 0;
  // Hands over an already-filled tensor as dynamic output i (no copy), e.g.
  // the result of a subgraph run.
  virtual Status set_dynamic_output(size_t i, Tensor tensor) = 0;
  // Threads this kernel may use for intra-op parallelism.
  virtual int num_threads() const = 0;
  // For kernels whose work ends after compute() returns (an accelerator's
  // queued commands that still read or write host tensors): the function it
  // returns ends this node's step, exactly once, from any thread, and
  // compute() must then return ok. The executor runs other nodes meanwhile.
  // Empty: this executor cannot wait asynchronously; finish before returning.
  virtual std::function<void(Status)> defer() { return {}; }
  // Which run of the program this is (1, 2, ...): lets kernels that share
  // state (one upload for several device nodes) tell this run's from the
  // last one's. 0: the executor does not count runs; share nothing.
  virtual uint64_t run_id() const { return 0; }

 protected:
  explicit ComputeContext(const Node* node) : node_(node) {}
  const Node* node_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual Status infer(InferContext& ctx) const = 0;
  virtual Status compute(ComputeContext& ctx) = 0;
  // True when the kernel keeps its own copy of constant input `input` (taken
  // at creation, usually packed for its primitives) and never reads that
  // input's bytes from the ComputeContext, only its shape. A weight that every
  // consumer holds is dropped by the session, so it lives once in memory.
  // What the kernels keep is counted by their WeightCache.
  virtual bool holds_constant(size_t input) const {
    (void)input;
    return false;
  }
  // True when explicit input `input` may be a sequence (DataType::kSequence)
  // or an empty optional (DataType::kNone). The runtime refuses either at
  // any other input before infer() is called, so kernels that do not
  // override this see only tensors.
  virtual bool accepts_non_tensor(size_t input) const {
    (void)input;
    return false;
  }
  // True when output 0 is input 0's bytes unchanged, only its shape differs
  // (Reshape, Squeeze, Unsqueeze, Flatten, Identity). The planner may then
  // place the output on the input's bytes (Storage::kArenaView), and
  // compute() must copy nothing when the two pointers are equal.
  virtual bool output_views_input() const { return false; }
};

}  // namespace parallax
