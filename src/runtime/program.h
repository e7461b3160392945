// A Program is a graph made runnable: one kernel per node, created once, and
// a cache of ShapePlans keyed by the input-shape signature, so that a new
// input shape plans once and alternating shapes costs nothing afterwards.
//
//   PX_ASSIGN_OR_RETURN(auto program, Program::compile(graph, {.num_threads = 2}));
//   PX_ASSIGN_OR_RETURN(std::vector<Tensor> outs, program->run(inputs, {}));
//
// Subgraphs of If / Loop / Scan are Programs too.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "kernels/op_kernel.h"
#include "runtime/shape_plan.h"

namespace parallax {

struct ProgramOptions {
  int num_threads = 1;
  // No tensor the runtime allocates (activations, outputs) may be larger:
  // a shape that asks for more gets ResourceExhausted, never std::bad_alloc.
  size_t max_tensor_bytes = size_t{16} << 30;
};

// Sees every node a run executes: profiling and tracing hook in here instead
// of living inside the executor loop.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_node_start(const Node& node) = 0;
  virtual void on_node_end(const Node& node) = 0;
};

struct RunStats {
  size_t arena_bytes = 0;
  size_t steps_run = 0;
  bool planned = false;  // this run built a new ShapePlan
};

class Program {
 public:
  static Result<std::unique_ptr<Program>> compile(std::shared_ptr<const Graph> graph, const ProgramOptions& options);

  // `inputs` follow graph->inputs, `outer` graph->outer_inputs. Outputs follow graph->outputs.
  Result<std::vector<Tensor>> run(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                  RunStats* stats = nullptr);

  // The plan for these input shapes (building and caching it if new).
  Result<std::shared_ptr<const ShapePlan>> plan_for(std::span<const Tensor> inputs, std::span<const Tensor> outer);

  const Graph& graph() const { return *graph_; }
  // Observes the nodes of later runs (null to stop). Not owned.
  void set_observer(RunObserver* observer) { observer_ = observer; }
  const ProgramOptions& options() const { return options_; }

 private:
  Program(std::shared_ptr<const Graph> graph, const ProgramOptions& options) : graph_(std::move(graph)), options_(options) {}
  Status execute(const ShapePlan& plan, std::span<const Tensor> inputs, std::span<const Tensor> outer,
                 std::vector<Tensor>& outputs);
  Status run_step(const PlanStep& step, std::vector<Tensor>& slots);

  std::shared_ptr<const Graph> graph_;
  ProgramOptions options_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;  // indexed by node
  RunObserver* observer_ = nullptr;

  // Runs of one Program are serialised: kernels keep per-shape caches and the
  // arena is reused from run to run.
  std::mutex run_mutex_;
  std::map<std::string, std::shared_ptr<const ShapePlan>> plans_;
  std::shared_ptr<std::byte> arena_;
  size_t arena_capacity_ = 0;
};

}  // namespace parallax
