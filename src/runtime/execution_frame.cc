#include "runtime/execution_frame.h"

namespace parallax {

ExecutionFrame::ExecutionFrame(const Graph& graph, const ExecutionPlan& plan, std::byte* arena, bool check_memory)
    : graph_(graph),
      plan_(plan),
      arena_(arena),
      slots_(graph.values.size()),
      remaining_(new std::atomic<uint32_t>[graph.values.size()]),
      checker_(graph, plan, arena, check_memory) {
  const ShapePlan& shapes = *plan.shapes;
  ranges_.reserve(plan.order.size());
  for (uint32_t step : plan.order) {
    const Node& node = graph.node(shapes.steps[step].node);
    StepRange r{};
    r.inputs = static_cast<uint32_t>(input_ptrs_.size());
    r.num_inputs = static_cast<uint32_t>(node.num_explicit_inputs);
    for (size_t i = 0; i < node.num_explicit_inputs; ++i)
      input_ptrs_.push_back(node.inputs[i].valid() ? &slots_[node.inputs[i].index()] : nullptr);
    r.outputs = static_cast<uint32_t>(output_ptrs_.size());
    r.num_outputs = static_cast<uint32_t>(node.outputs.size());
    for (ValueId v : node.outputs) output_ptrs_.push_back(v.valid() ? &slots_[v.index()] : nullptr);
    r.implicit = static_cast<uint32_t>(implicit_ids_.size());
    r.num_implicit = static_cast<uint32_t>(node.inputs.size() - node.num_explicit_inputs);
    for (size_t i = node.num_explicit_inputs; i < node.inputs.size(); ++i) implicit_ids_.push_back(node.inputs[i]);
    ranges_.push_back(r);
  }
  implicit_.resize(implicit_ids_.size());
  for (size_t v = 0; v < shapes.values.size(); ++v) {
    const Storage s = shapes.values[v].storage;
    if (s == Storage::kInput || s == Storage::kOuter || s == Storage::kOwned || s == Storage::kDynamic ||
        s == Storage::kUnused)  // an optional output nobody reads may still be written
      per_run_.push_back(ValueId(static_cast<uint32_t>(v)));
  }
  // Graph inputs and outer values the plan does not read are bound too: a
  // graph output may be an input.
  for (ValueId v : graph.inputs) per_run_.push_back(v);
  for (ValueId v : graph.outer_values) per_run_.push_back(v);
  bind_static();
}

void ExecutionFrame::bind_static() {
  const ShapePlan& shapes = *plan_.shapes;
  for (size_t v = 0; v < shapes.values.size(); ++v) {
    const ValuePlan& vp = shapes.values[v];
    if (vp.storage == Storage::kConstant)
      slots_[v] = vp.constant;
    else if (vp.storage == Storage::kArena)
      slots_[v] = Tensor::view(vp.dtype, vp.shape, arena_ + plan_.offsets[v]);
    else if (vp.storage == Storage::kArenaView)
      slots_[v] = Tensor::view(vp.dtype, vp.shape, arena_ + plan_.offsets[vp.view_of.index()]);
  }
}

void ExecutionFrame::rebind(std::byte* arena) {
  arena_ = arena;
  checker_.set_arena(arena);
  bind_static();
}

void ExecutionFrame::bind_run(std::span<const Tensor> inputs, std::span<const Tensor> outer, TensorPool& pool) {
  const ShapePlan& shapes = *plan_.shapes;
  for (ValueId v : per_run_) {
    const ValuePlan& vp = shapes.values[v.index()];
    if (vp.storage == Storage::kOwned) slots_[v.index()] = pool.allocate(vp.dtype, vp.shape);
  }
  for (size_t i = 0; i < inputs.size(); ++i) slots_[graph_.inputs[i].index()] = inputs[i];
  for (size_t i = 0; i < outer.size(); ++i) slots_[graph_.outer_values[i].index()] = outer[i];
  if (plan_.mode != ExecutionMode::kSequential)
    for (size_t v = 0; v < graph_.values.size(); ++v) remaining_[v].store(plan_.readers[v], std::memory_order_relaxed);
  checker_.reset();
}

void ExecutionFrame::end_run() {
  for (ValueId v : per_run_) slots_[v.index()] = Tensor();
  for (Tensor& t : implicit_) t = Tensor();
}

ExecutionFrame::StepIO ExecutionFrame::step_io(uint32_t position) {
  const StepRange& r = ranges_[position];
  for (uint32_t i = 0; i < r.num_implicit; ++i)
    implicit_[r.implicit + i] = slots_[implicit_ids_[r.implicit + i].index()];
  return {std::span<const Tensor* const>(input_ptrs_.data() + r.inputs, r.num_inputs),
          std::span<Tensor* const>(output_ptrs_.data() + r.outputs, r.num_outputs),
          std::span<const Tensor>(implicit_.data() + r.implicit, r.num_implicit)};
}

}  // namespace parallax
