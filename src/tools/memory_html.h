// `parallax plan MODEL --memory --format html`: the memory plans as one
// self-contained page (inline CSS and SVG, no script, nothing external).
//
//   std::cout << memory_html(graph, {{"dataflow", *dataflow_ep}, {"sequential", *sequential_ep}}, summary);
//
// Each panel is one SVG: x = execution position (ep.order), y = arena offset
// (0 at the bottom, the same bytes-per-pixel in every panel); one rectangle per
// arena value from the position of its writer to that of its last reader,
// as tall as its bytes, coloured by the branch of its writer (12 colours,
// one CSS class each), with a <title> naming the value, bytes, offset,
// lifetime and branch; a dashed line marks the panel's arena size. Above the
// panels a table shows `summary`, the JSON of `parallax plan --memory
// --format json` (naive, sequential, per-branch, dataflow, layer, lower bound).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "plan/execution_plan.h"

namespace parallax::tools {

// One arena value as drawn: positions [first, last] inclusive.
struct MemoryBlock {
  ValueId value;
  uint32_t first = 0, last = 0;  // writer position, last reader position
  size_t offset = 0, bytes = 0;
  int32_t branch = -1;  // the writer's partition branch
};

// The arena values of `ep` (Storage::kArena in ep.shapes), in value order.
std::vector<MemoryBlock> memory_blocks(const Graph& graph, const ExecutionPlan& ep);

struct MemoryPanel {
  std::string title;  // e.g. "dataflow"
  const ExecutionPlan& plan;
};

std::string memory_html(const Graph& graph, const std::vector<MemoryPanel>& panels, const nlohmann::json& summary);

}  // namespace parallax::tools
