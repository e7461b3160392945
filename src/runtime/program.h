// A Program is a graph made runnable: one kernel per node, created once, and
// a bounded (LRU) cache of execution plans keyed by the input-shape signature, so that a
// new input shape plans once and alternating shapes costs nothing afterwards.
//
//   PX_ASSIGN_OR_RETURN(auto program, Program::compile(graph, {.num_threads = 2}));
//   PX_ASSIGN_OR_RETURN(std::vector<Tensor> outs, program->run(inputs, {}));
//
// Pipeline per new signature: ShapePlan (shapes, folding, sequential arena)
// -> ExecutionPlan (partition, schedule DAG, concurrent arena offsets) ->
// execution on the session's ThreadPool (schedule/dag_runner.h).
// Subgraphs of If / Loop / Scan are Programs too; they run sequentially
// inside the node that owns them.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/cpu_set.h"
#include "core/status_macros.h"
#include "graph/graph.h"
#include "kernels/op_kernel.h"
#include "partition/device_profile.h"
#include "parallax/session.h"
#include "runtime/execution_frame.h"
#include "runtime/kernel_contexts.h"
#include "runtime/lru_cache.h"
#include "runtime/schedule_tuner.h"
#include "runtime/step_calibration.h"
#include "runtime/shape_planner.h"
#include "runtime/tensor_pool.h"
#include "schedule/dag_runner.h"
#include "schedule/execution_planner.h"
#include "schedule/thread_pool.h"

namespace parallax {

class Backend;  // backends/backend.h

struct ProgramOptions {
  int num_threads = 1;  // total: split between concurrent steps and inside kernels
  CpuSet cpu_cores = {};  // the pool's threads run here (SessionOptions::cpu_cores); empty: anywhere
  ExecutionMode mode = ExecutionMode::kSequential;
  size_t memory_budget = SIZE_MAX;  // activation arena limit
  double max_arena_growth = 1.10;
  bool check_memory = false;
  bool adapt_schedule = true;  // see SessionOptions::adapt_schedule
  // Bodies of If / Loop / Scan run inside a node that got some of the
  // threads: they take the calling thread's OpenMP count, not num_threads.
  bool threads_from_caller = false;
  // Graph inputs must match their declared shapes. Off for Loop / Scan
  // bodies: a loop-carried value may change shape from one iteration to the
  // next (torchvision's Mask R-CNN declares [0,256,256] for a value that
  // grows by one mask per iteration; ONNX and ORT accept it).
  bool check_declared_shapes = true;
  // No tensor the runtime allocates (activations, outputs) may be larger:
  // a shape that asks for more gets ResourceExhausted, never std::bad_alloc.
  size_t max_tensor_bytes = size_t{16} << 30;
  uint64_t max_loop_iterations = 0;  // SessionOptions::max_loop_iterations; 0: unlimited
  bool exact_int8 = false;           // SessionOptions::exact_int8
  // An accelerator (backends/backend.h): a node it supports, whose op is in
  // accelerator_ops (empty: every op it supports), gets the backend's kernel
  // instead of the CPU registry's. Null: CPU only.
  std::shared_ptr<Backend> accelerator = nullptr;  // initialised: designated initialisers may omit it
  std::set<std::string> accelerator_ops = {};
  // Which supported nodes it gets (runtime/offload_choice.h): all, or the
  // regions that pay for themselves under `device_profile`.
  OffloadRule offload_rule = OffloadRule::kAlways;
  DeviceProfile device_profile = {};
  // With an accelerator: only decide which nodes go to it (placement(),
  // on_device()), making no device kernel. Such a program cannot run; it
  // tells the compiler which nodes the CPU's own graph passes may rewrite
  // (runtime/compiled_model.cc).
  bool place_only = false;
  // Where kernels keep packed weights; null: the program makes its own, which
  // its control-flow bodies share.
  std::shared_ptr<WeightCache> weight_cache = nullptr;
  // Where run-time-sized tensors are recycled (tensor_pool.h); null: the
  // program makes its own, which its control-flow bodies share, so that one
  // bound covers the blocks of the graph and of every loop body.
  std::shared_ptr<TensorPool> tensor_pool = nullptr;
};

// Sees every node a run executes, from the thread that ran it: profiling
// hooks in here instead of living inside the executor loop.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_node(const Node& node, double ms) = 0;
};

class Program {
 public:
  static Result<std::unique_ptr<Program>> compile(std::shared_ptr<const Graph> graph, const ProgramOptions& options);

  // `inputs` follow graph->inputs, `outer` graph->outer_inputs. Outputs follow
  // graph->outputs. `stats` (optional) gets what the run did; `timeline` asks
  // for one NodeSpan per node in it. `wanted_outputs`, per graph output
  // (empty: all): only the nodes the wanted ones depend on run, and the others
  // come back empty. Each set of wanted outputs is planned (and cached) apart.
  Result<std::vector<Tensor>> run(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                  RunStatistics* stats = nullptr, bool timeline = false,
                                  std::span<const bool> wanted_outputs = {});

  // The plans for these input shapes (building and caching them if new).
  Result<std::shared_ptr<const ShapePlan>> plan_for(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                                    std::span<const bool> wanted_outputs = {});
  Result<std::shared_ptr<const ExecutionPlan>> execution_plan_for(std::span<const Tensor> inputs,
                                                                  std::span<const Tensor> outer);

  const Graph& graph() const { return *graph_; }
  // With an accelerator: what the offload choice kept and why (empty without one).
  const std::string& offload_summary() const { return offload_summary_; }
  // With an accelerator: the candidate device regions and those whose nodes
  // run on it, which every partition of this program contains; null without one.
  const RegionSet* placement() const { return options_.accelerator ? &placement_ : nullptr; }
  // Per node: placed on the accelerator (empty without one).
  std::span<const bool> on_device() const {
    return on_device_ ? std::span<const bool>(on_device_.get(), graph_->nodes.size()) : std::span<const bool>();
  }
  // The partition the execution plans for these input shapes are built on.
  Result<PlannedPartition> partition_for(std::span<const Tensor> inputs, std::span<const Tensor> outer);
  // Observes the nodes of later runs (null to stop). Not owned.
  void set_observer(RunObserver* observer) { observer_ = observer; }
  const ProgramOptions& options() const { return options_; }
  // Initializers whose every reader is a kernel that keeps its own copy
  // (OpKernel::holds_constant): nothing reads their graph bytes again, so
  // the owner of the graph may drop them.
  std::vector<ValueId> constants_held_by_kernels() const;
  // Bytes the kernels keep of constants: the whole of the weight cache, which
  // may be shared with other sessions. Read between runs.
  size_t held_constant_bytes() const;
  // Plans kept for different input shapes (at most kMaxCachedPlans).
  size_t cached_plans() const { return plans_.size(); }
  static constexpr size_t kMaxCachedPlans = 128;
  // Times the arena had to grow (a steady state allocates none).
  size_t arena_allocations() const { return arena_allocations_; }

 private:
  struct CachedPlan {
    std::shared_ptr<const ExecutionPlan> plan;
    std::shared_ptr<const ExecutionPlan> sequential_plan;  // adaptive dataflow's alternative
    std::unique_ptr<StepCalibration> calibration;         // of `plan`
    // Adaptive dataflow: which plan and thread count each run uses (null: always `plan`).
    std::unique_ptr<ScheduleTuner> tuner;
    // Each plan bound to the arena, made at its first run.
    std::unique_ptr<ExecutionFrame> frame, sequential_frame;
    DagRunResult result;  // of the last run, reused
  };

  Program(std::shared_ptr<const Graph> graph, const ProgramOptions& options) : graph_(std::move(graph)), options_(options) {}
  Status validate_inputs(std::span<const Tensor> inputs, std::span<const Tensor> outer) const;
  Result<CachedPlan*> cached_plan(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                  std::span<const bool> wanted_outputs = {});
  // Grows the arena if the plan needs more, and binds the plan's frame to it.
  Result<ExecutionFrame*> frame_for(CachedPlan& entry, bool sequential_arm);
  Status execute(CachedPlan& entry, std::span<const Tensor> inputs, std::span<const Tensor> outer,
                 std::vector<Tensor>& outputs, RunStatistics* stats, bool timeline);
  Status run_steps(ExecutionFrame& frame, CachedPlan& entry, bool sequential, int threads);
  // `deferrer`: how the step may end after compute() returns (ComputeContext::defer).
  Status run_step(const PlanStep& step, const ExecutionFrame::StepIO& io, int threads, StepDeferrer* deferrer);
  Status allocate_run_time_outputs(const Node& node, OpKernel& kernel, const ExecutionFrame::StepIO& io);
  Status take_outputs(ExecutionFrame& frame, std::vector<Tensor>& outputs) const;
  bool any_on_device() const { return any_on_device_; }

  std::shared_ptr<const Graph> graph_;
  ProgramOptions options_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;  // indexed by node
  std::string offload_summary_;
  RegionSet placement_;  // with an accelerator (placement())
  uint64_t run_id_ = 0;  // runs so far (under run_mutex_): ComputeContext::run_id
  std::unique_ptr<bool[]> on_device_;  // indexed by node: runs the accelerator's kernel (null: no accelerator)
  bool any_on_device_ = false;
  RunObserver* observer_ = nullptr;
  std::unique_ptr<ThreadPool> pool_;  // for concurrent modes with more than one thread or beside a device

  // Runs of one Program are serialised: kernels keep per-shape caches and the
  // arena is reused from run to run.
  std::mutex run_mutex_;
  // Per input-shape signature, the most recently used kMaxCachedPlans.
  LruCache<std::string, std::shared_ptr<const ShapePlan>> shape_plans_{kMaxCachedPlans};
  LruCache<std::string, CachedPlan> plans_{kMaxCachedPlans};
  std::shared_ptr<std::byte> arena_;
  size_t arena_capacity_ = 0;
  size_t arena_allocations_ = 0;
};

}  // namespace parallax
