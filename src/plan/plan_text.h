// Plain-text printers of the plan types, for `parallax plan --steps` and for
// reading a plan while debugging: what a run will do, step by step, and where
// every value lives.
//
//   std::cout << describe_execution_plan(graph, *plan);
//   // execution plan: dataflow, 3 steps, 2 branches; arena 0.38 MiB (...)
//   //    pos  op       node   branch  layer  waits for  writes
//   //      0  Conv     conv1       0      0  -          y1 arena+0 [1,64,56,56] float32
#pragma once

#include <string>

#include "graph/graph.h"
#include "plan/execution_plan.h"
#include "plan/shape_plan.h"

namespace parallax {

// One line per value that the plan stores: storage, dtype, shape, offset.
std::string describe_shape_plan(const Graph& graph, const ShapePlan& plan);

// A header line (mode, steps, branches, arena against the sequential plan and
// the lower bound, why concurrency was limited), then one line per step in
// sequential order: its op and node, branch and layer, the steps it waits
// for, and where each value it writes lives.
std::string describe_execution_plan(const Graph& graph, const ExecutionPlan& plan);

}  // namespace parallax
