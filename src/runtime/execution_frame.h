// An ExecutionFrame is one ExecutionPlan bound to memory, in the manner of
// ONNX Runtime's ExecutionFrame: the value slots, with constants and arena
// views bound once, and each step's input and output pointers laid out once.
// A run binds only what changes from run to run (the caller's inputs, the
// outer scope, owned outputs; dynamic values as they are produced), so
// dispatching a step allocates nothing.
//
//   ExecutionFrame frame(graph, plan, arena);
//   frame.bind_run(inputs, outer, pool);
//   for (uint32_t pos = 0; pos < steps; ++pos) {
//     StepIO io = frame.step_io(pos);   // views into the slots
//     ... kernel.compute(context over io) ...
//   }
//   Tensor y = frame.slot(output);      // taken before
//   frame.end_run();                    // drops inputs, outputs, dynamic values
//
// The arena may move (a larger plan grew it): rebind() remakes the views.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "graph/graph.h"
#include "plan/execution_plan.h"
#include "runtime/memory_checker.h"
#include "runtime/tensor_pool.h"

namespace parallax {

class ExecutionFrame {
 public:
  ExecutionFrame(const Graph& graph, const ExecutionPlan& plan, std::byte* arena, bool check_memory);
  ExecutionFrame(const ExecutionFrame&) = delete;
  ExecutionFrame& operator=(const ExecutionFrame&) = delete;

  const ExecutionPlan& plan() const { return plan_; }
  const std::byte* arena() const { return arena_; }
  void rebind(std::byte* arena);

  // Binds the caller's inputs and the outer scope, and allocates the owned
  // outputs from `pool`. Arena views and constants stay as bound.
  void bind_run(std::span<const Tensor> inputs, std::span<const Tensor> outer, TensorPool& pool);
  // Drops what bind_run and the steps bound (inputs, outer values, owned and
  // dynamic tensors), so that nothing of one run outlives it.
  void end_run();

  // Every value's tensor, indexed by ValueId.
  std::vector<Tensor>& slots() { return slots_; }
  Tensor& slot(ValueId v) { return slots_[v.index()]; }

  struct StepIO {
    std::span<const Tensor* const> inputs;  // explicit inputs; null for absent optional ones
    std::span<Tensor* const> outputs;       // null for absent outputs
    std::span<const Tensor> implicit;       // outer-scope values a control-flow body reads
  };
  // The bindings of the step at `position` of the plan's order. Implicit
  // inputs are copies, refreshed here from the slots.
  StepIO step_io(uint32_t position);

  // Parallel runs: a dynamic value is dropped by whichever reader finishes
  // last. True when this was the last reading step of `v`.
  bool last_reader_done(ValueId v) { return remaining_[v.index()].fetch_sub(1, std::memory_order_acq_rel) == 1; }

  MemoryChecker& checker() { return checker_; }

 private:
  void bind_static();

  const Graph& graph_;
  const ExecutionPlan& plan_;
  std::byte* arena_;
  std::vector<Tensor> slots_;
  // Per position, where its pointers start in the flat arrays below.
  struct StepRange {
    uint32_t inputs, num_inputs, outputs, num_outputs, implicit, num_implicit;
  };
  std::vector<StepRange> ranges_;
  std::vector<const Tensor*> input_ptrs_;
  std::vector<Tensor*> output_ptrs_;
  std::vector<Tensor> implicit_;
  std::vector<ValueId> implicit_ids_;
  std::vector<ValueId> per_run_;  // values bind_run and the steps set, end_run drops
  std::unique_ptr<std::atomic<uint32_t>[]> remaining_;
  MemoryChecker checker_;
};

}  // namespace parallax
