#include "runtime/program.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "backends/backend.h"
#include "core/shape_arith.h"
#include "kernels/registry.h"
#include "kernels/weight_cache.h"
#include "runtime/kernel_contexts.h"
#include "runtime/memory_checker.h"
#include "runtime/offload_choice.h"
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

// Branch pairs whose nodes overlapped in time (sweep over start times).
std::vector<std::pair<int, int>> concurrent_branch_pairs(const ExecutionPlan& ep, const DagRunResult& r) {
  std::vector<uint32_t> by_start(r.timing.size());
  for (uint32_t p = 0; p < by_start.size(); ++p) by_start[p] = p;
  std::sort(by_start.begin(), by_start.end(),
            [&](uint32_t a, uint32_t b) { return r.timing[a].start_us < r.timing[b].start_us; });
  std::vector<std::pair<int, int>> pairs;
  std::vector<uint32_t> active;
  for (uint32_t p : by_start) {
    std::erase_if(active, [&](uint32_t a) { return r.timing[a].end_us <= r.timing[p].start_us; });
    for (uint32_t a : active) {
      int x = ep.branch[a], y = ep.branch[p];
      if (x != y && x >= 0 && y >= 0) pairs.emplace_back(std::min(x, y), std::max(x, y));
    }
    active.push_back(p);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

// What adaptive dataflow chooses between, simplest first (the tuner keeps an
// earlier arm unless a later one is clearly faster): all threads in sequence,
// all threads on concurrent branches, and fewer threads in sequence for when
// other processes hold some of the cores (a team waits at every barrier for
// a member the OS has descheduled; a smaller team on the free cores does not).
std::vector<TunerArm> tuner_arms(int threads) {
  std::vector<TunerArm> arms = {{ExecutionMode::kSequential, threads}, {ExecutionMode::kDataflow, threads}};
  if (threads > 2) arms.push_back({ExecutionMode::kSequential, threads - 1});
  arms.push_back({ExecutionMode::kSequential, 1});
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
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      if (!choice.on_device[n]) continue;
      RuntimeCreateContext ctx(g, g.nodes[n], program->options_);
      auto device = acc->create_kernel(ctx, program->kernels_[n]);
      if (device.is_ok()) {
        program->kernels_[n] = std::move(device).value();
        program->on_device_[n] = true;
      } else {
        // A device kernel that cannot be made (a program that fails to build,
        // no device memory for the weights) leaves the node on the CPU.
        std::cerr << "parallax: warning: " << g.nodes[n].describe() << ": " << acc->name()
                  << " kernel unavailable, running the node on the CPU: " << device.status().message() << '\n';
      }
    }
    std::vector<OpKernel*> kernels;
    for (const auto& k : program->kernels_) kernels.push_back(k.get());
    acc->connect(g, kernels, std::span<const bool>(program->on_device_.get(), g.nodes.size()));
  }
  if (options.mode != ExecutionMode::kSequential && options.num_threads > 1)
    program->pool_ = std::make_unique<ThreadPool>(options.num_threads - 1);
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

size_t Program::held_constant_bytes() const { return options_.weight_cache->bytes(); }

namespace {
std::string signature(std::span<const Tensor> inputs, std::span<const Tensor> outer) {
  std::ostringstream key;
  for (const Tensor& t : inputs) append_signature(key, t);
  key << '|';
  for (const Tensor& t : outer) append_signature(key, t);
  return key.str();
}
}  // namespace

Result<std::shared_ptr<const ShapePlan>> Program::plan_for(std::span<const Tensor> inputs,
                                                           std::span<const Tensor> outer) {
  const std::string key = signature(inputs, outer);
  auto it = shape_plans_.find(key);
  if (it != shape_plans_.end()) return it->second;
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ShapePlan> plan,
                      make_shape_plan(*graph_, kernels_, inputs, outer, options_.max_tensor_bytes));
  shape_plans_.emplace(key, plan);
  return plan;
}

Result<Program::CachedPlan*> Program::cached_plan(std::span<const Tensor> inputs, std::span<const Tensor> outer) {
  const std::string key = signature(inputs, outer);
  auto it = plans_.find(key);
  if (it != plans_.end()) return &it->second;
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ShapePlan> shapes, plan_for(inputs, outer));
  ExecutionPlanOptions eopts;
  eopts.mode = options_.mode;
  eopts.threads = options_.num_threads;
  eopts.memory_budget = options_.memory_budget;
  eopts.max_arena_growth = options_.max_arena_growth;
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ExecutionPlan> plan, make_execution_plan(*graph_, shapes, eopts));
  CachedPlan entry;
  if (options_.adapt_schedule && plan->mode == ExecutionMode::kDataflow && pool_) {
    eopts.mode = ExecutionMode::kSequential;
    PX_ASSIGN_OR_RETURN(entry.sequential_plan, make_execution_plan(*graph_, shapes, eopts));
    entry.tuner = std::make_unique<ScheduleTuner>(tuner_arms(options_.num_threads));
  }
  entry.priority = remaining_path(plan->dag, plan->cost_us);
  entry.cost_us = plan->cost_us;
  entry.max_threads.assign(plan->order.size(), options_.num_threads);
  entry.plan = std::move(plan);
  return &plans_.emplace(key, std::move(entry)).first->second;
}

Result<std::shared_ptr<const ExecutionPlan>> Program::execution_plan_for(std::span<const Tensor> inputs,
                                                                         std::span<const Tensor> outer) {
  std::lock_guard<std::mutex> lock(run_mutex_);
  PX_ASSIGN_OR_RETURN(CachedPlan * entry, cached_plan(inputs, outer));
  return entry->plan;
}

Status Program::validate_inputs(std::span<const Tensor> inputs, std::span<const Tensor> outer) const {
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
          want << (d ? "," : "") << (dims[d].known() ? std::to_string(dims[d].value) : dims[d].symbol.empty() ? "?" : dims[d].symbol);
        want << ']';
        return error(StatusCode::kInvalidArgument, "input '", v.name, "' must have shape ", want.str(), ", got ",
                     shape_to_string(t.shape()));
      }
    }
  }
  return Status::ok();
}

Result<std::vector<Tensor>> Program::run(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                         RunStatistics* stats, bool timeline) {
  PX_RETURN_IF_ERROR(validate_inputs(inputs, outer));
  std::lock_guard<std::mutex> lock(run_mutex_);
  PX_ASSIGN_OR_RETURN(CachedPlan * entry, cached_plan(inputs, outer));
  std::vector<Tensor> outputs;
  PX_RETURN_IF_ERROR(execute(*entry, inputs, outer, outputs, stats, timeline));
  return outputs;
}

Status Program::execute(CachedPlan& entry, std::span<const Tensor> inputs, std::span<const Tensor> outer,
                        std::vector<Tensor>& outputs, RunStatistics* stats, bool timeline) {
  const Graph& g = *graph_;
  // Adaptive dataflow (SessionOptions::adapt_schedule): the tuner picks the
  // plan and thread count of each run from measured times (runtime/schedule_tuner.h).
  // Sequential runs use the sequential plan's own offsets: the concurrent
  // plan spreads tensors apart and loses cache reuse.
  ++run_id_;
  const size_t arm = entry.tuner ? entry.tuner->next() : 0;
  const bool use_sequential_plan = entry.tuner && entry.tuner->arm(arm).mode == ExecutionMode::kSequential;
  const ExecutionPlan& ep = use_sequential_plan ? *entry.sequential_plan : *entry.plan;
  const ShapePlan& plan = *ep.shapes;
  if (ep.arena_bytes > arena_capacity_) {
    void* p = std::aligned_alloc(64, (ep.arena_bytes + 63) / 64 * 64);
    if (p == nullptr)
      return error(StatusCode::kResourceExhausted, "cannot allocate an arena of ", ep.arena_bytes, " bytes");
    arena_ = std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
    arena_capacity_ = ep.arena_bytes;
    ++arena_allocations_;
  }
  std::vector<Tensor> slots(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v) {
    const ValuePlan& vp = plan.values[v];
    switch (vp.storage) {
      case Storage::kConstant: slots[v] = vp.constant; break;
      case Storage::kArena: slots[v] = Tensor::view(vp.dtype, vp.shape, arena_.get() + ep.offsets[v]); break;
      case Storage::kOwned: slots[v] = tensor_pool_->allocate(vp.dtype, vp.shape); break;
      default: break;
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) slots[g.inputs[i].index()] = inputs[i];
  for (size_t i = 0; i < outer.size(); ++i) slots[g.outer_values[i].index()] = outer[i];

  const bool sequential = ep.mode == ExecutionMode::kSequential || !pool_;
  // Dynamic values are dropped by their last reader; in parallel runs "last"
  // is whoever finishes last, so readers count down.
  std::unique_ptr<std::atomic<uint32_t>[]> remaining;
  if (!sequential) {
    remaining.reset(new std::atomic<uint32_t>[g.values.size()]);
    for (size_t v = 0; v < g.values.size(); ++v) remaining[v].store(ep.readers[v], std::memory_order_relaxed);
  }
  MemoryChecker checker(g, ep, arena_.get(), options_.check_memory);
  // After the step's kernel is done (for a deferred device node, when the
  // device says so): its inputs may be dropped, its outputs read.
  auto end_step = [&](uint32_t pos) {
    const PlanStep& step = plan.steps[ep.order[pos]];
    checker.after_step(pos, slots);
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
      if (remaining[v.index()].fetch_sub(1, std::memory_order_acq_rel) == 1) slots[v.index()] = Tensor();
    }
  };
  auto task = [&](uint32_t pos, int, int threads, StepDeferral& deferral) -> Status {
    const PlanStep& step = plan.steps[ep.order[pos]];
    PX_RETURN_IF_ERROR(checker.before_step(pos, slots));
    bool deferred = false;
    auto defer = [&, pos]() -> std::function<void(Status)> {
      StepDeferral::Finish finish = deferral.defer();
      if (!finish) return nullptr;
      deferred = true;
      return [&, pos, finish = std::move(finish)](Status s) {
        if (s.is_ok())
          end_step(pos);
        else
          s = s.with_context(g.node(plan.steps[ep.order[pos]].node).describe());
        finish(std::move(s));
      };
    };
    PX_RETURN_IF_ERROR(run_step(step, slots, threads, defer));
    if (!deferred) end_step(pos);
    return Status::ok();
  };

  DagRunResult result;
  const auto t0 = std::chrono::steady_clock::now();
  const int threads = options_.threads_from_caller ? std::clamp(omp_get_max_threads(), 1, options_.num_threads)
                      : entry.tuner                 ? entry.tuner->arm(arm).threads
                                                    : options_.num_threads;
  if (sequential)
    PX_RETURN_IF_ERROR(run_in_order(ep.order.size(), threads, task, result));
  else
    PX_RETURN_IF_ERROR(
        run_dag(*pool_, ep.dag, entry.priority, entry.cost_us, entry.max_threads, options_.num_threads, task, result));
  const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  // The first runs calibrate: measured step times replace the MAC estimates
  // as priorities, and steps too short to repay waking an OpenMP team (CPU
  // time under kTeamWorthUs at the threads they got) run on one thread.
  std::vector<double> measured(result.timing.size());
  for (size_t p = 0; p < measured.size(); ++p) measured[p] = result.timing[p].end_us - result.timing[p].start_us;
  std::vector<double> path = remaining_path(ep.dag, measured);
  if (entry.tuner) entry.tuner->report(arm, wall_ms);
  if (!sequential && entry.dataflow_runs++ < 2) {  // calibration only from dataflow runs
    constexpr double kTeamWorthUs = 40;
    entry.priority = path;
    // Costs as single-thread time, so that steps measured at different thread counts compare.
    for (size_t p = 0; p < measured.size(); ++p) entry.cost_us[p] = measured[p] * result.timing[p].threads;
    for (size_t p = 0; p < measured.size(); ++p)
      if (measured[p] * result.timing[p].threads < kTeamWorthUs) entry.max_threads[p] = 1;
  }

  outputs.clear();
  for (ValueId out : g.outputs) {
    Storage s = plan.values[out.index()].storage;
    Tensor& t = slots[out.index()];
    if (t.empty()) return error(StatusCode::kInternal, "output '", g.value(out).name, "' was not produced");
    // The caller owns what it gets back: never hand out a view of a constant or an input.
    outputs.push_back(s == Storage::kOwned || s == Storage::kDynamic ? t : t.clone());
  }

  if (stats) {
    RunStatistics& st = *stats;
    st.mode = sequential ? ExecutionMode::kSequential : ep.mode;
    st.wall_ms = wall_ms;
    st.nodes_run = ep.order.size();
    st.arena_bytes = ep.arena_bytes;
    st.sequential_arena_bytes = ep.sequential_arena_bytes;
    st.lower_bound_arena_bytes = ep.lower_bound_bytes;
    st.peak_live_bytes = checker.peak_live_bytes();
    st.pooled_peak_bytes = tensor_pool_->peak_live_bytes();
    st.pooled_cached_bytes = tensor_pool_->cached_bytes();
    st.memory_budget = options_.memory_budget;
    st.arena_allocations = arena_allocations_;
    st.max_concurrency = result.max_concurrency;
    st.concurrent_branches = sequential ? std::vector<std::pair<int, int>>{} : concurrent_branch_pairs(ep, result);
    st.thread_busy_ms.clear();
    double busy = 0;
    for (double us : result.busy_us) {
      st.thread_busy_ms.push_back(us * 1e-3);
      busy += us * 1e-3;
    }
    st.critical_path_ms = path.empty() ? 0 : *std::max_element(path.begin(), path.end()) * 1e-3;
    st.bound_ms = std::max(st.critical_path_ms, busy / options_.num_threads);
    const std::string verdict = entry.tuner ? entry.tuner->verdict() : std::string();
    st.note = ep.note.empty() ? verdict : verdict.empty() ? ep.note : ep.note + "; " + verdict;
    st.threads = threads;
    st.timeline.clear();
    if (timeline) {
      for (size_t p = 0; p < result.timing.size(); ++p) {
        const NodeId id = plan.steps[ep.order[p]].node;
        const Node& node = g.node(id);
        const StepTiming& t = result.timing[p];
        const bool device = on_device_ && on_device_[id.index()];
        st.timeline.push_back({node.name.empty() ? node.op_type : node.name, node.op_type, ep.branch[p], t.worker,
                               t.threads, t.start_us, t.end_us, device ? options_.accelerator->name() : ""});
      }
    }
  }
  return Status::ok();
}

Status Program::run_step(const PlanStep& step, std::vector<Tensor>& slots, int threads,
                         std::function<std::function<void(Status)>()> defer) {
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
        *outs[o] = tensor_pool_->allocate(out.dtype, std::move(out.shape));
      }
    }
  }
  BasicComputeContext cctx(&node, std::move(ins), outs, std::move(implicit), threads, options_.max_tensor_bytes);
  cctx.set_tensor_pool(tensor_pool_.get());
  if (defer) cctx.set_defer(std::move(defer));
  cctx.set_run_id(run_id_);
  // OpenMP's thread count is per calling thread: oneDNN and our loops read it.
  omp_set_num_threads(threads);
  const auto t0 = std::chrono::steady_clock::now();
  Status s = kernel.compute(cctx);
  if (observer_)
    observer_->on_node(node, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  if (!s.is_ok()) return s.with_context(node.describe());
  if (!step.static_shapes) {
    for (size_t o = 0; o < outs.size(); ++o)
      if (outs[o] && outs[o]->empty())
        return error(StatusCode::kInternal, node.describe(), ": kernel did not produce output ", o);
  }
  return Status::ok();
}

}  // namespace parallax
