#include "runtime/program.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "backends/backend.h"
#include "core/block_alloc.h"
#include "core/exception_status.h"
#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/registry.h"
#include "kernels/weight_cache.h"
#include "runtime/kernel_contexts.h"
#include "runtime/offload_choice.h"
#include "runtime/run_statistics.h"
#include "schedule/dag_runner.h"

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
  WeightCache* weight_cache() const override { return options_.weight_cache.get(); }
  uint64_t max_loop_iterations() const override { return options_.max_loop_iterations; }
  bool exact_int8() const override { return options_.exact_int8; }
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
    // Bodies run inside their node, on the thread (and thread count) it was given.
    ProgramOptions body_options = options_;
    body_options.mode = ExecutionMode::kSequential;
    body_options.threads_from_caller = true;
    body_options.check_declared_shapes = false;
    PX_ASSIGN_OR_RETURN(std::unique_ptr<Program> program, Program::compile(body, body_options));
    return std::unique_ptr<Subgraph>(std::make_unique<ProgramSubgraph>(std::move(program), std::move(outer_map)));
  }

 private:
  const Graph& graph_;
  const ProgramOptions& options_;
};

// What adaptive dataflow chooses between, simplest first (the tuner keeps an
// earlier arm unless a later one is clearly faster): all threads in sequence,
// all threads on concurrent branches, and fewer threads in sequence for when
// other processes hold some of the cores (a team waits at every barrier for
// a member the OS has descheduled; a smaller team on the free cores does not).
std::vector<TunerArm> tuner_arms(int threads) {
  std::vector<TunerArm> arms = {{ExecutionMode::kSequential, threads}, {ExecutionMode::kDataflow, threads}};
  if (threads > 2) arms.push_back({ExecutionMode::kSequential, threads - 1});
  if (threads > 1) arms.push_back({ExecutionMode::kSequential, 1});
  return arms;
}

void append_signature(std::ostringstream& key, const Tensor& t) {
  key << static_cast<int>(t.dtype()) << ':';
  for (int64_t d : t.shape()) key << d << ',';
  key << ';';
}

}  // namespace

Result<std::unique_ptr<Program>> Program::compile(std::shared_ptr<const Graph> graph, const ProgramOptions& options) {
  if (options.num_threads < 1)
    return error(StatusCode::kInvalidArgument, "num_threads must be at least 1, got ", options.num_threads);
  std::unique_ptr<Program> program(new Program(std::move(graph), options));
  if (!program->options_.weight_cache) program->options_.weight_cache = std::make_shared<WeightCache>();
  if (!program->options_.tensor_pool) program->options_.tensor_pool = std::make_shared<TensorPool>();
  const Graph& g = *program->graph_;
  program->kernels_.reserve(g.nodes.size());
  Backend* acc = options.accelerator.get();
  std::vector<bool> supported(g.nodes.size(), false);
  for (const Node& node : g.nodes) {
    const KernelDef* def = KernelRegistry::global().find(node.domain, node.op_type, node.opset);
    if (def == nullptr) {
      if (KernelRegistry::global().knows(node.domain, node.op_type))
        return error(StatusCode::kUnsupported, node.describe(), ": opset ", node.opset, " of op '", node.op_type,
                     "' is not supported");
      return error(StatusCode::kUnsupported, node.describe(), ": op '", node.op_type, "'",
                   node.domain.empty() ? "" : " of domain '" + node.domain + "'", " is not supported");
    }
    // The CPU kernel is made first in every case: it validates the node the
    // same way with or without an accelerator, plans shapes for the offload
    // choice, and a device kernel keeps it for shape inference and as its fallback.
    RuntimeCreateContext ctx(g, node, program->options_);
    auto kernel = def->create(ctx);
    if (!kernel.is_ok()) return kernel.status().with_context(node.describe());
    supported[program->kernels_.size()] =
        acc && (options.accelerator_ops.empty() || options.accelerator_ops.count(node.op_type) != 0) &&
        acc->supports(ctx);
    program->kernels_.push_back(std::move(kernel).value());
  }
  if (acc) {
    OffloadChoice choice = choose_offload(g, program->kernels_, supported,
                                          {options.device_profile, options.offload_rule, options.max_tensor_bytes});
    program->offload_summary_ = std::move(choice.summary);
    program->on_device_.reset(new bool[g.nodes.size()]());
    if (options.place_only) {
      for (size_t n = 0; n < g.nodes.size(); ++n) program->on_device_[n] = choice.on_device[n];
      program->placement_ = std::move(choice.regions);
      return program;
    }
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      if (!choice.on_device[n]) continue;
      RuntimeCreateContext ctx(g, g.nodes[n], program->options_);
      auto device = acc->create_kernel(ctx, program->kernels_[n]);
      if (device.is_ok()) {
        program->kernels_[n] = std::move(device).value();
        program->on_device_[n] = true;
        program->any_on_device_ = true;
      } else {
        // A device kernel that cannot be made (a program that fails to build,
        // no device memory for the weights) leaves the node on the CPU.
        std::cerr << "parallax: warning: " << g.nodes[n].describe() << ": " << acc->name()
                  << " kernel unavailable, running the node on the CPU: " << device.status().message() << '\n';
      }
    }
    program->placement_ = choice.regions;
    PX_RETURN_IF_ERROR(keep_placed_nodes(g, choice, std::span<const bool>(program->on_device_.get(), g.nodes.size()),
                                         program->placement_));
    std::vector<OpKernel*> kernels;
    for (const auto& k : program->kernels_) kernels.push_back(k.get());
    acc->connect(g, kernels, std::span<const bool>(program->on_device_.get(), g.nodes.size()));
  }
  // One CPU thread still runs a dataflow schedule beside a device: the
  // caller works on CPU steps while device steps are in flight.
  if (options.mode != ExecutionMode::kSequential && (options.num_threads > 1 || program->any_on_device()))
    program->pool_ = std::make_unique<ThreadPool>(options.num_threads - 1, options.cpu_cores);
  return program;
}

std::vector<ValueId> Program::constants_held_by_kernels() const {
  const Graph& g = *graph_;
  // Per value: read by a kernel that does not hold it, or an output.
  std::vector<bool> needed(g.values.size(), false), read(g.values.size(), false);
  for (ValueId id : g.outputs) needed[id.index()] = true;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node& node = g.nodes[n];
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (!node.inputs[i].valid()) continue;
      read[node.inputs[i].index()] = true;
      if (!kernels_[n]->holds_constant(i)) needed[node.inputs[i].index()] = true;
    }
  }
  std::vector<ValueId> held;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].initializer && read[v] && !needed[v]) held.push_back(ValueId(static_cast<uint32_t>(v)));
  return held;
}

size_t Program::held_constant_bytes() const {
  return options_.weight_cache->bytes();
}

namespace {
std::string signature(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                      std::span<const bool> wanted_outputs) {
  std::ostringstream key;
  for (const Tensor& t : inputs) append_signature(key, t);
  key << '|';
  for (const Tensor& t : outer) append_signature(key, t);
  if (std::find(wanted_outputs.begin(), wanted_outputs.end(), false) != wanted_outputs.end()) {
    key << "|wanted:";
    for (bool w : wanted_outputs) key << (w ? '1' : '0');
  }
  return key.str();
}
}  // namespace

Result<std::shared_ptr<const ShapePlan>> Program::plan_for(std::span<const Tensor> inputs,
                                                           std::span<const Tensor> outer,
                                                           std::span<const bool> wanted_outputs) {
  const std::string key = signature(inputs, outer, wanted_outputs);
  if (auto* cached = shape_plans_.find(key)) return *cached;
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ShapePlan> plan,
                      make_shape_plan(*graph_, kernels_, inputs, outer, options_.max_tensor_bytes, wanted_outputs));
  shape_plans_.insert(key, plan);
  return plan;
}

Result<Program::CachedPlan*> Program::cached_plan(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                                  std::span<const bool> wanted_outputs) {
  const std::string key = signature(inputs, outer, wanted_outputs);
  if (CachedPlan* cached = plans_.find(key)) return cached;
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ShapePlan> shapes, plan_for(inputs, outer, wanted_outputs));
  ExecutionPlanOptions eopts;
  eopts.mode = options_.mode;
  eopts.threads = options_.num_threads;
  eopts.memory_budget = options_.memory_budget;
  eopts.max_arena_growth = options_.max_arena_growth;
  eopts.device_beside = any_on_device();
  eopts.regions = placement();
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ExecutionPlan> plan, make_execution_plan(*graph_, shapes, eopts));
  CachedPlan entry;
  if (options_.adapt_schedule && plan->mode == ExecutionMode::kDataflow && pool_) {
    eopts.mode = ExecutionMode::kSequential;
    PX_ASSIGN_OR_RETURN(entry.sequential_plan, make_execution_plan(*graph_, shapes, eopts));
    entry.tuner = std::make_unique<ScheduleTuner>(tuner_arms(options_.num_threads));
  }
  entry.calibration = std::make_unique<StepCalibration>(*plan, options_.num_threads);
  entry.plan = std::move(plan);
  return &plans_.insert(key, std::move(entry));
}

Result<std::shared_ptr<const ExecutionPlan>> Program::execution_plan_for(std::span<const Tensor> inputs,
                                                                         std::span<const Tensor> outer) {
  std::lock_guard<std::mutex> lock(run_mutex_);
  PX_ASSIGN_OR_RETURN(CachedPlan * entry, cached_plan(inputs, outer));
  return entry->plan;
}

Result<PlannedPartition> Program::partition_for(std::span<const Tensor> inputs, std::span<const Tensor> outer) {
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ShapePlan> shapes, plan_for(inputs, outer));
  ExecutionPlanOptions eopts;
  eopts.threads = options_.num_threads;
  eopts.regions = placement();
  return plan_partition(*graph_, *shapes, eopts);
}

namespace {

// A declared sequence takes a sequence whose items are tensors of the
// declared element type; an undeclared input may take any sequence of tensors.
Status validate_sequence_input(const Value& v, const Tensor& t) {
  if (!t.is_sequence())
    return error(StatusCode::kInvalidArgument, "input '", v.name, "' must be a sequence of tensors, got a tensor");
  if (v.dtype != DataType::kSequence && v.dtype != DataType::kUndefined)
    return error(StatusCode::kInvalidArgument, "input '", v.name, "' must be a ", data_type_name(v.dtype),
                 " tensor, got a sequence");
  const DataType want = v.sequence_element != DataType::kUndefined ? v.sequence_element : t.element_type();
  if (v.sequence_element != DataType::kUndefined && t.element_type() != v.sequence_element)
    return error(StatusCode::kInvalidArgument, "input '", v.name, "' must be a sequence of ",
                 data_type_name(v.sequence_element), " tensors, got one of ", data_type_name(t.element_type()));
  for (size_t k = 0; k < t.items().size(); ++k) {
    const Tensor& item = t.items()[k];
    if (item.is_sequence() || item.dtype() != want || !is_supported(item.dtype()))
      return error(StatusCode::kInvalidArgument, "input '", v.name, "' item ", k, " must be a ", data_type_name(want),
                   " tensor, got ", item.is_sequence() ? "a sequence" : data_type_name(item.dtype()));
    if (Status extent_ok = check_shape_extent(item.shape()); !extent_ok.is_ok())
      return extent_ok.with_context("input '" + v.name + "' item " + std::to_string(k));
  }
  return Status::ok();
}

}  // namespace

Status Program::validate_inputs(std::span<const Tensor> inputs, std::span<const Tensor> outer) const {
  const Graph& g = *graph_;
  if (inputs.size() != g.inputs.size())
    return error(StatusCode::kInvalidArgument, "graph '", g.name, "' takes ", g.inputs.size(), " inputs, got ",
                 inputs.size());
  if (outer.size() != g.outer_values.size())
    return error(StatusCode::kInternal, "graph '", g.name, "' reads ", g.outer_values.size(), " outer values, got ",
                 outer.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& v = g.value(g.inputs[i]);
    const Tensor& t = inputs[i];
    if (t.empty()) return error(StatusCode::kInvalidArgument, "input '", v.name, "' is missing");
    if (t.is_none()) {
      if (!v.optional && v.dtype != DataType::kUndefined)
        return error(StatusCode::kInvalidArgument, "input '", v.name, "' is not optional, and got an empty optional");
      continue;
    }
    if (v.dtype == DataType::kSequence || t.is_sequence()) {
      PX_RETURN_IF_ERROR(validate_sequence_input(v, t));
      continue;
    }
    if (v.dtype != DataType::kUndefined && !is_storable(v.dtype))
      return error(StatusCode::kUnsupported, "input '", v.name, "' has unsupported type ", data_type_name(v.dtype));
    if (v.dtype != DataType::kUndefined && t.dtype() != v.dtype)
      return error(StatusCode::kInvalidArgument, "input '", v.name, "' must be ", data_type_name(v.dtype), ", got ",
                   data_type_name(t.dtype()));
    if (!is_storable(t.dtype()))
      return error(StatusCode::kUnsupported, "input '", v.name, "' has unsupported type ", data_type_name(t.dtype()));
    if (Status extent_ok = check_shape_extent(t.shape()); !extent_ok.is_ok())
      return extent_ok.with_context("input '" + v.name + "'");
    if (v.declared_shape && options_.check_declared_shapes) {
      const auto& dims = *v.declared_shape;
      bool ok = dims.size() == t.rank();
      for (size_t d = 0; ok && d < dims.size(); ++d)
        if (dims[d].known() && dims[d].value != t.dim(d)) ok = false;
      if (!ok) {
        std::ostringstream want;
        want << '[';
        for (size_t d = 0; d < dims.size(); ++d)
          want << (d ? "," : "")
               << (dims[d].known()          ? std::to_string(dims[d].value)
                   : dims[d].symbol.empty() ? "?"
                                            : dims[d].symbol);
        want << ']';
        return error(StatusCode::kInvalidArgument, "input '", v.name, "' must have shape ", want.str(), ", got ",
                     shape_to_string(t.shape()));
      }
    }
  }
  return Status::ok();
}

Result<std::vector<Tensor>> Program::run(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                         RunStatistics* stats, bool timeline, std::span<const bool> wanted_outputs) {
  if (options_.place_only) return error(StatusCode::kInternal, "a program compiled only to place nodes cannot run");
  PX_RETURN_IF_ERROR(validate_inputs(inputs, outer));
  if (!wanted_outputs.empty() && wanted_outputs.size() != graph_->outputs.size())
    return error(StatusCode::kInternal, "graph '", graph_->name, "' has ", graph_->outputs.size(), " outputs, ",
                 wanted_outputs.size(), " flags given");
  std::lock_guard<std::mutex> lock(run_mutex_);
  PX_ASSIGN_OR_RETURN(CachedPlan * entry, cached_plan(inputs, outer, wanted_outputs));
  std::vector<Tensor> outputs;
  PX_RETURN_IF_ERROR(execute(*entry, inputs, outer, outputs, stats, timeline));
  return outputs;
}

Result<ExecutionFrame*> Program::frame_for(CachedPlan& entry, bool sequential_arm) {
  const ExecutionPlan& ep = sequential_arm ? *entry.sequential_plan : *entry.plan;
  if (ep.arena_bytes > arena_capacity_) {
    // The old arena goes before the new one comes: nothing in it outlives a
    // run, and the two alive at once would set the peak.
    arena_.reset();
    arena_capacity_ = 0;
    const size_t bytes = ep.arena_bytes;
    void* p = block_alloc(bytes);
    if (p == nullptr) return error(StatusCode::kResourceExhausted, "cannot allocate an arena of ", bytes, " bytes");
    arena_ = std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [bytes](std::byte* q) { block_free(q, bytes); });
    arena_capacity_ = bytes;
    ++arena_allocations_;
  }
  std::unique_ptr<ExecutionFrame>& frame = sequential_arm ? entry.sequential_frame : entry.frame;
  if (!frame)
    frame = std::make_unique<ExecutionFrame>(*graph_, ep, arena_.get(), options_.check_memory);
  else if (frame->arena() != arena_.get())
    frame->rebind(arena_.get());
  return frame.get();
}

Status Program::execute(CachedPlan& entry, std::span<const Tensor> inputs, std::span<const Tensor> outer,
                        std::vector<Tensor>& outputs, RunStatistics* stats, bool timeline) {
  // Adaptive dataflow (SessionOptions::adapt_schedule): the tuner picks the
  // plan and thread count of each run from measured times (runtime/schedule_tuner.h).
  // Sequential runs use the sequential plan's own offsets: the concurrent
  // plan spreads tensors apart and loses cache reuse.
  ++run_id_;
  const size_t arm = entry.tuner ? entry.tuner->next() : 0;
  const bool sequential_arm = entry.tuner && entry.tuner->arm(arm).mode == ExecutionMode::kSequential;
  PX_ASSIGN_OR_RETURN(ExecutionFrame * frame, frame_for(entry, sequential_arm));
  const ExecutionPlan& ep = frame->plan();
  const bool sequential = ep.mode == ExecutionMode::kSequential || !pool_;
  const int threads = options_.threads_from_caller ? std::clamp(omp_get_max_threads(), 1, options_.num_threads)
                      : entry.tuner                ? entry.tuner->arm(arm).threads
                                                   : options_.num_threads;
  frame->bind_run(inputs, outer, *options_.tensor_pool);
  const auto t0 = std::chrono::steady_clock::now();
  Status status = run_steps(*frame, entry, sequential, threads);
  const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (status.is_ok()) status = take_outputs(*frame, outputs);
  if (status.is_ok()) {
    if (entry.tuner) entry.tuner->report(arm, wall_ms);
    if (!sequential) entry.calibration->observe(ep, entry.result);  // only dataflow runs calibrate
    if (stats) {
      const std::string verdict = entry.tuner ? entry.tuner->verdict() : std::string();
      fill_run_statistics({.graph = *graph_,
                           .plan = ep,
                           .result = entry.result,
                           .wall_ms = wall_ms,
                           .threads = threads,
                           .num_threads = options_.num_threads,
                           .sequential = sequential,
                           .peak_live_bytes = frame->checker().peak_live_bytes(),
                           .pooled_peak_bytes = options_.tensor_pool->peak_live_bytes(),
                           .pooled_cached_bytes = options_.tensor_pool->cached_bytes(),
                           .memory_budget = options_.memory_budget,
                           .arena_allocations = arena_allocations_,
                           .tuner_verdict = verdict,
                           .on_device = on_device_.get(),
                           .accelerator = options_.accelerator ? options_.accelerator->name() : ""},
                          timeline, *stats);
    }
  }
  frame->end_run();
  return status;
}

Status Program::take_outputs(ExecutionFrame& frame, std::vector<Tensor>& outputs) const {
  const Graph& g = *graph_;
  const ShapePlan& plan = *frame.plan().shapes;
  outputs.clear();
  for (ValueId out : g.outputs) {
    Storage s = plan.values[out.index()].storage;
    if (s == Storage::kUnused) {  // not wanted in this run
      outputs.emplace_back();
      continue;
    }
    Tensor& t = frame.slot(out);
    if (t.empty()) return error(StatusCode::kInternal, "output '", g.value(out).name, "' was not produced");
    // The caller owns what it gets back: never hand out a view of the arena,
    // a constant or an input. A run-time-sized output may still be one, or
    // a sequence passing on the items of an input sequence (SequenceInsert
    // shares them): the Python binding's temporary arrays behind such items
    // were freed under the returned outputs (fuzz/fuzz_python.py).
    outputs.push_back(s == Storage::kOwned ? t : s == Storage::kDynamic ? t.owning() : t.clone());
  }
  return Status::ok();
}

namespace {

// Lets a step end after its kernel returns (a device's commands in flight).
// Only kernels that defer ask, so CPU steps never build the callback.
class DeferToScheduler final : public StepDeferrer {
 public:
  DeferToScheduler(StepDeferral& deferral, const std::function<void(uint32_t)>& end_step, const Node& node,
                   uint32_t position)
      : deferral_(deferral), end_step_(end_step), node_(node), position_(position) {}
  std::function<void(Status)> defer() override {
    StepDeferral::Finish finish = deferral_.defer();
    if (!finish) return nullptr;
    deferred_ = true;
    return [end_step = &end_step_, node = &node_, pos = position_, finish = std::move(finish)](Status s) {
      if (s.is_ok())
        (*end_step)(pos);
      else
        s = s.with_context(node->describe());
      finish(std::move(s));
    };
  }
  bool deferred() const { return deferred_; }

 private:
  StepDeferral& deferral_;
  const std::function<void(uint32_t)>& end_step_;  // outlives the run's deferred steps
  const Node& node_;
  uint32_t position_;
  bool deferred_ = false;
};

}  // namespace

Status Program::run_steps(ExecutionFrame& frame, CachedPlan& entry, bool sequential, int threads) {
  const Graph& g = *graph_;
  const ExecutionPlan& ep = frame.plan();
  const ShapePlan& plan = *ep.shapes;
  std::vector<Tensor>& slots = frame.slots();
  // After the step's kernel is done (for a deferred device node, when the
  // device says so): its inputs may be dropped, its outputs read. Dynamic
  // values are dropped by their last reader; in parallel runs "last" is
  // whoever finishes last, so readers count down.
  const std::function<void(uint32_t)> end_step = [&frame, &g, &ep, &plan, &slots, sequential](uint32_t pos) {
    const PlanStep& step = plan.steps[ep.order[pos]];
    frame.checker().after_step(pos, slots);
    if (sequential) {
      for (ValueId v : step.release_after) slots[v.index()] = Tensor();
      return;
    }
    const Node& node = g.node(step.node);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      ValueId v = node.inputs[i];
      if (!v.valid() || plan.values[v.index()].storage != Storage::kDynamic || g.value(v).is_graph_output) continue;
      if (std::find(node.inputs.begin(), node.inputs.begin() + static_cast<std::ptrdiff_t>(i), v) !=
          node.inputs.begin() + static_cast<std::ptrdiff_t>(i))
        continue;  // a step counts once per value
      if (frame.last_reader_done(v)) slots[v.index()] = Tensor();
    }
  };
  // Steps run on pool workers too, where an exception would end the process.
  auto task = [&](uint32_t pos, int, int step_threads, StepDeferral& deferral) -> Status {
    const PlanStep& step = plan.steps[ep.order[pos]];
    try {
      PX_RETURN_IF_ERROR(frame.checker().before_step(pos, slots));
      DeferToScheduler deferrer(deferral, end_step, g.node(step.node), pos);
      PX_RETURN_IF_ERROR(run_step(step, frame.step_io(pos), step_threads, &deferrer));
      if (!deferrer.deferred()) end_step(pos);
      return Status::ok();
    } catch (...) {
      return status_of_exception(std::current_exception(), g.node(step.node).describe());
    }
  };
  if (sequential) return run_in_order(ep.order.size(), threads, task, entry.result);
  const StepCalibration& cal = *entry.calibration;
  return run_dag(*pool_, ep.dag, cal.priority(), cal.cost_us(), cal.max_threads(), options_.num_threads, task,
                 entry.result);
}

Status Program::run_step(const PlanStep& step, const ExecutionFrame::StepIO& io, int threads, StepDeferrer* deferrer) {
  const Node& node = graph_->node(step.node);
  OpKernel& kernel = *kernels_[step.node.index()];
  if (!step.static_shapes) PX_RETURN_IF_ERROR(allocate_run_time_outputs(node, kernel, io));
  BasicComputeContext cctx(&node, io.inputs, io.outputs, io.implicit, threads, options_.max_tensor_bytes);
  cctx.set_tensor_pool(options_.tensor_pool.get());
  cctx.set_deferrer(deferrer);
  cctx.set_run_id(run_id_);
  // OpenMP's thread count is per calling thread: oneDNN and our loops read it.
  if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
  const auto t0 = std::chrono::steady_clock::now();
  Status s = kernel.compute(cctx);
  if (observer_)
    observer_->on_node(node, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  if (!s.is_ok()) return s.with_context(node.describe());
  if (!step.static_shapes) {
    for (size_t o = 0; o < io.outputs.size(); ++o)
      if (io.outputs[o] && io.outputs[o]->empty())
        return error(StatusCode::kInternal, node.describe(), ": kernel did not produce output ", o);
  }
  return Status::ok();
}

// A step whose output shapes depend on its inputs' values (or on other
// run-time shapes) infers them now and takes its outputs from the pool; an
// output the kernel sizes itself stays empty until it does.
Status Program::allocate_run_time_outputs(const Node& node, OpKernel& kernel, const ExecutionFrame::StepIO& io) {
  std::vector<BasicInferContext::Input> info(io.inputs.size());
  for (size_t i = 0; i < io.inputs.size(); ++i)
    if (const Tensor* t = io.inputs[i]) info[i] = {t->dtype(), &t->shape(), t};
  BasicInferContext ictx(&node, std::move(info));
  PX_RETURN_IF_ERROR(ictx.check_non_tensor_inputs(kernel));
  Status s = kernel.infer(ictx);
  if (!s.is_ok()) return s.with_context(node.describe());
  if (ictx.deferred())
    return error(StatusCode::kInternal, node.describe(), ": shape inference deferred with all values known");
  for (size_t o = 0; o < io.outputs.size(); ++o) {
    if (!io.outputs[o]) continue;
    auto& out = ictx.outputs()[o];
    if (!out.set) return error(StatusCode::kInternal, node.describe(), ": kernel did not infer output ", o);
    if (out.dynamic) {
      *io.outputs[o] = Tensor();
      continue;
    }
    for (int64_t d : out.shape)
      if (d < 0)
        return error(StatusCode::kInvalidArgument, node.describe(), ": output ", o, " shape ",
                     shape_to_string(out.shape), " has a negative dimension");
    Status size_ok = check_tensor_bytes(out.dtype, out.shape, options_.max_tensor_bytes);
    if (!size_ok.is_ok()) return size_ok.with_context(node.describe() + ": output " + std::to_string(o));
    *io.outputs[o] = options_.tensor_pool->allocate(out.dtype, std::move(out.shape));
  }
  return Status::ok();
}

}  // namespace parallax
