#include "runtime/program.h"

#include <omp.h>

#include <cstdlib>
#include <sstream>

#include "kernels/registry.h"
#include "runtime/kernel_contexts.h"

namespace parallax {

namespace {

// A compiled If/Loop/Scan body. The owning node's implicit inputs are the
// union of its bodies' outer reads; outer_map_ picks this body's subset.
class ProgramSubgraph final : public Subgraph {
 public:
  ProgramSubgraph(std::unique_ptr<Program> program, std::vector<size_t> outer_map)
      : program_(std::move(program)), outer_map_(std::move(outer_map)) {}
  size_t num_inputs() const override { return program_->graph().inputs.size(); }
  size_t num_outputs() const override { return program_->graph().outputs.size(); }
  Result<std::vector<Tensor>> run(std::span<const Tensor> inputs, std::span<const Tensor> outer) override {
    std::vector<Tensor> mapped;
    mapped.reserve(outer_map_.size());
    for (size_t k : outer_map_) {
      if (k >= outer.size()) return error(StatusCode::kInternal, "subgraph outer value ", k, " was not passed");
      mapped.push_back(outer[k]);
    }
    return program_->run(inputs, mapped);
  }

 private:
  std::unique_ptr<Program> program_;
  std::vector<size_t> outer_map_;
};

class RuntimeCreateContext final : public KernelCreateContext {
 public:
  RuntimeCreateContext(const Graph& graph, const Node& node, const ProgramOptions& options)
      : KernelCreateContext(&node), graph_(graph), options_(options) {}

  DataType input_dtype(size_t i) const override {
    if (!has_input(i)) return DataType::kUndefined;
    return graph_.value(node_->inputs[i]).dtype;
  }
  const Tensor* constant_input(size_t i) const override {
    if (!has_input(i)) return nullptr;
    const auto& init = graph_.value(node_->inputs[i]).initializer;
    return init ? &*init : nullptr;
  }
  Result<std::unique_ptr<Subgraph>> compile_subgraph(const std::string& name) const override {
    PX_ASSIGN_OR_RETURN(std::shared_ptr<Graph> body, node_->attrs.get_graph(name));
    std::vector<size_t> outer_map;
    for (const std::string& outer_name : body->outer_inputs) {
      size_t k = 0;
      bool found = false;
      for (size_t i = node_->num_explicit_inputs; i < node_->inputs.size(); ++i, ++k) {
        if (graph_.value(node_->inputs[i]).name == outer_name) {
          found = true;
          break;
        }
      }
      if (!found)
        return error(StatusCode::kInternal, node_->describe(), ": outer value '", outer_name, "' is not wired");
      outer_map.push_back(k);
    }
    PX_ASSIGN_OR_RETURN(std::unique_ptr<Program> program, Program::compile(body, options_));
    return std::unique_ptr<Subgraph>(std::make_unique<ProgramSubgraph>(std::move(program), std::move(outer_map)));
  }

 private:
  const Graph& graph_;
  const ProgramOptions& options_;
};

void append_signature(std::ostringstream& key, const Tensor& t) {
  key << static_cast<int>(t.dtype()) << ':';
  for (int64_t d : t.shape()) key << d << ',';
  key << ';';
}

}  // namespace

Result<std::unique_ptr<Program>> Program::compile(std::shared_ptr<const Graph> graph, const ProgramOptions& options) {
  std::unique_ptr<Program> program(new Program(std::move(graph), options));
  const Graph& g = *program->graph_;
  program->kernels_.reserve(g.nodes.size());
  for (const Node& node : g.nodes) {
    const KernelDef* def = KernelRegistry::global().find(node.domain, node.op_type, node.opset);
    if (def == nullptr) {
      if (KernelRegistry::global().knows(node.domain, node.op_type))
        return error(StatusCode::kUnsupported, node.describe(), ": opset ", node.opset, " of op '", node.op_type,
                     "' is not supported");
      return error(StatusCode::kUnsupported, node.describe(), ": op '", node.op_type, "'",
                   node.domain.empty() ? "" : " of domain '" + node.domain + "'", " is not supported");
    }
    RuntimeCreateContext ctx(g, node, program->options_);
    auto kernel = def->create(ctx);
    if (!kernel.is_ok()) return kernel.status().with_context(node.describe());
    program->kernels_.push_back(std::move(kernel).value());
  }
  return program;
}

Result<std::shared_ptr<const ShapePlan>> Program::plan_for(std::span<const Tensor> inputs,
                                                           std::span<const Tensor> outer) {
  std::ostringstream key;
  for (const Tensor& t : inputs) append_signature(key, t);
  key << '|';
  for (const Tensor& t : outer) append_signature(key, t);
  auto it = plans_.find(key.str());
  if (it != plans_.end()) return it->second;
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ShapePlan> plan,
                      make_shape_plan(*graph_, kernels_, inputs, outer, options_.max_tensor_bytes));
  plans_.emplace(key.str(), plan);
  return plan;
}

Result<std::vector<Tensor>> Program::run(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                         RunStats* stats) {
  const Graph& g = *graph_;
  if (inputs.size() != g.inputs.size())
    return error(StatusCode::kInvalidArgument, "graph '", g.name, "' takes ", g.inputs.size(), " inputs, got ",
                 inputs.size());
  if (outer.size() != g.outer_values.size())
    return error(StatusCode::kInternal, "graph '", g.name, "' reads ", g.outer_values.size(),
                 " outer values, got ", outer.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& v = g.value(g.inputs[i]);
    const Tensor& t = inputs[i];
    if (t.empty()) return error(StatusCode::kInvalidArgument, "input '", v.name, "' is missing");
    if (v.dtype != DataType::kUndefined && !is_supported(v.dtype))
      return error(StatusCode::kUnsupported, "input '", v.name, "' has unsupported type ", data_type_name(v.dtype));
    if (v.dtype != DataType::kUndefined && t.dtype() != v.dtype)
      return error(StatusCode::kInvalidArgument, "input '", v.name, "' must be ", data_type_name(v.dtype), ", got ",
                   data_type_name(t.dtype()));
    if (!is_supported(t.dtype()))
      return error(StatusCode::kUnsupported, "input '", v.name, "' has unsupported type ", data_type_name(t.dtype()));
    if (v.declared_shape) {
      const auto& dims = *v.declared_shape;
      bool ok = dims.size() == t.rank();
      for (size_t d = 0; ok && d < dims.size(); ++d)
        if (dims[d].known() && dims[d].value != t.dim(d)) ok = false;
      if (!ok) {
        std::ostringstream want;
        want << '[';
        for (size_t d = 0; d < dims.size(); ++d)
          want << (d ? "," : "") << (dims[d].known() ? std::to_string(dims[d].value) : dims[d].symbol.empty() ? "?" : dims[d].symbol);
        want << ']';
        return error(StatusCode::kInvalidArgument, "input '", v.name, "' must have shape ", want.str(), ", got ",
                     shape_to_string(t.shape()));
      }
    }
  }

  std::lock_guard<std::mutex> lock(run_mutex_);
  size_t plans_before = plans_.size();
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ShapePlan> plan, plan_for(inputs, outer));
  std::vector<Tensor> outputs;
  omp_set_num_threads(options_.num_threads);
  PX_RETURN_IF_ERROR(execute(*plan, inputs, outer, outputs));
  if (stats) {
    stats->arena_bytes = plan->arena_bytes;
    stats->steps_run = plan->steps.size();
    stats->planned = plans_.size() != plans_before;
  }
  return outputs;
}

Status Program::execute(const ShapePlan& plan, std::span<const Tensor> inputs, std::span<const Tensor> outer,
                        std::vector<Tensor>& outputs) {
  const Graph& g = *graph_;
  if (plan.arena_bytes > arena_capacity_) {
    void* p = std::aligned_alloc(64, (plan.arena_bytes + 63) / 64 * 64);
    if (p == nullptr)
      return error(StatusCode::kResourceExhausted, "cannot allocate an arena of ", plan.arena_bytes, " bytes");
    arena_ = std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
    arena_capacity_ = plan.arena_bytes;
  }
  std::vector<Tensor> slots(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v) {
    const ValuePlan& vp = plan.values[v];
    switch (vp.storage) {
      case Storage::kConstant: slots[v] = vp.constant; break;
      case Storage::kArena: slots[v] = Tensor::view(vp.dtype, vp.shape, arena_.get() + vp.offset); break;
      case Storage::kOwned: slots[v] = Tensor::allocate(vp.dtype, vp.shape); break;
      default: break;
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) slots[g.inputs[i].index()] = inputs[i];
  for (size_t i = 0; i < outer.size(); ++i) slots[g.outer_values[i].index()] = outer[i];

  for (const PlanStep& step : plan.steps) PX_RETURN_IF_ERROR(run_step(step, slots));

  outputs.clear();
  for (ValueId out : g.outputs) {
    Storage s = plan.values[out.index()].storage;
    Tensor& t = slots[out.index()];
    if (t.empty()) return error(StatusCode::kInternal, "output '", g.value(out).name, "' was not produced");
    // The caller owns what it gets back: never hand out a view of a constant or an input.
    outputs.push_back(s == Storage::kOwned || s == Storage::kDynamic ? t : t.clone());
  }
  return Status::ok();
}

Status Program::run_step(const PlanStep& step, std::vector<Tensor>& slots) {
  const Node& node = graph_->node(step.node);
  OpKernel& kernel = *kernels_[step.node.index()];
  std::vector<const Tensor*> ins(node.num_explicit_inputs, nullptr);
  for (size_t i = 0; i < node.num_explicit_inputs; ++i)
    if (node.inputs[i].valid()) ins[i] = &slots[node.inputs[i].index()];
  std::vector<Tensor> implicit;
  for (size_t i = node.num_explicit_inputs; i < node.inputs.size(); ++i) implicit.push_back(slots[node.inputs[i].index()]);
  std::vector<Tensor*> outs(node.outputs.size(), nullptr);
  for (size_t o = 0; o < node.outputs.size(); ++o)
    if (node.outputs[o].valid()) outs[o] = &slots[node.outputs[o].index()];

  if (!step.static_shapes) {
    std::vector<BasicInferContext::Input> info(node.num_explicit_inputs);
    for (size_t i = 0; i < ins.size(); ++i)
      if (ins[i]) info[i] = {ins[i]->dtype(), &ins[i]->shape(), ins[i]};
    BasicInferContext ictx(&node, std::move(info));
    Status s = kernel.infer(ictx);
    if (!s.is_ok()) return s.with_context(node.describe());
    if (ictx.deferred())
      return error(StatusCode::kInternal, node.describe(), ": shape inference deferred with all values known");
    for (size_t o = 0; o < outs.size(); ++o) {
      if (!outs[o]) continue;
      auto& out = ictx.outputs()[o];
      if (!out.set) return error(StatusCode::kInternal, node.describe(), ": kernel did not infer output ", o);
      if (out.dynamic) {
        *outs[o] = Tensor();
      } else {
        for (int64_t d : out.shape)
          if (d < 0)
            return error(StatusCode::kInvalidArgument, node.describe(), ": output ", o, " shape ",
                         shape_to_string(out.shape), " has a negative dimension");
        Status size_ok = check_tensor_bytes(out.dtype, out.shape, options_.max_tensor_bytes);
        if (!size_ok.is_ok()) return size_ok.with_context(node.describe() + ": output " + std::to_string(o));
        *outs[o] = Tensor::allocate(out.dtype, std::move(out.shape));
      }
    }
  }
  BasicComputeContext cctx(&node, std::move(ins), outs, std::move(implicit), options_.num_threads,
                           options_.max_tensor_bytes);
  if (observer_) observer_->on_node_start(node);
  Status s = kernel.compute(cctx);
  if (observer_) observer_->on_node_end(node);
  if (!s.is_ok()) return s.with_context(node.describe());
  if (!step.static_shapes) {
    for (size_t o = 0; o < outs.size(); ++o)
      if (outs[o] && outs[o]->empty())
        return error(StatusCode::kInternal, node.describe(), ": kernel did not produce output ", o);
  }
  for (ValueId v : step.release_after) slots[v.index()] = Tensor();
  return Status::ok();
}

}  // namespace parallax
