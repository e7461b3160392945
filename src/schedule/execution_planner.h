// make_execution_plan: how one ShapePlan runs (plan/execution_plan.h) under
// a mode, a thread count and a memory budget.
//
//   ExecutionPlanOptions o{.mode = ExecutionMode::kDataflow, .threads = 2, .memory_budget = 1 << 30};
//   PX_ASSIGN_OR_RETURN(auto ep, make_execution_plan(graph, shape_plan, o));
//   // ep->dag: run a step when all its predecessors are done
//   // ep->offsets[v]: arena offset of value v; ep->arena_bytes <= budget
//
// Memory (docs/method.md, "Branch-aware memory"): offsets are planned over
// the conflict relation "may be live at the same time under this DAG"
// (memory/concurrent_planner.h), capped at max_arena_growth x the sequential
// plan; past the cap, values share bytes and the DAG gets the orders that
// make sharing safe, giving up exactly that concurrency.
#pragma once

#include <memory>

#include "core/status_macros.h"
#include "graph/graph.h"
#include "parallax/session.h"
#include "partition/branches.h"
#include "plan/execution_plan.h"

namespace parallax {

struct ExecutionPlanOptions {
  ExecutionMode mode = ExecutionMode::kDataflow;
  int threads = 1;
  size_t memory_budget = SIZE_MAX;
  double max_arena_growth = 1.10;
  // An accelerator runs some steps beside the CPU threads (asynchronous
  // device steps, StepDeferral): concurrency pays even with one CPU thread.
  bool device_beside = false;
  // The program's device regions (PartitionOptions::regions); null: none. Not owned.
  const RegionSet* regions = nullptr;
};

// The Branch-Layer partition an execution plan of `shapes` is built on, and
// the work estimates it was made from: `parallax plan` prints this one.
struct PlannedPartition {
  Partition partition;
  std::vector<NodeWork> work;  // indexed by node
};
Result<PlannedPartition> plan_partition(const Graph& graph, const ShapePlan& shapes,
                                        const ExecutionPlanOptions& options);

Result<std::shared_ptr<const ExecutionPlan>> make_execution_plan(const Graph& graph,
                                                                 std::shared_ptr<const ShapePlan> shapes,
                                                                 const ExecutionPlanOptions& options);

}  // namespace parallax
