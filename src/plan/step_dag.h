// The dependency DAG over the steps of a plan: step b depends on step a when
// b reads a value a writes, or when the schedule adds an order (layer
// barriers, memory sharing). Steps are numbered by their position in one
// sequential order of the nodes, which stays a topological order of this DAG:
// every edge goes from a lower to a higher position.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/graph.h"
#include "plan/shape_plan.h"

namespace parallax {

struct StepDag {
  std::vector<std::vector<uint32_t>> succs;  // distinct, sorted
  std::vector<uint32_t> num_preds;

  size_t size() const { return succs.size(); }
  // Adds a -> b unless present. Requires a < b (keeps the sequential order topological).
  void add_edge(uint32_t a, uint32_t b);
};

// Data dependencies between the steps; `order` lists the node of each position.
StepDag data_dependencies(const Graph& graph, std::span<const NodeId> order);

// Which step writes each value and which steps read it, in plan steps.
struct ValueUses {
  std::vector<int32_t> writer;                // per value; -1: not written by a step
  std::vector<std::vector<uint32_t>> readers;  // per value, distinct steps
};
ValueUses value_uses(const Graph& graph, std::span<const NodeId> order);
// The same, with the readers of each view (Storage::kArenaView) counted as
// readers of the value that owns its bytes too, so that the owner's bytes
// outlive them: what memory planning and checking need.
ValueUses arena_value_uses(const Graph& graph, std::span<const NodeId> order, const ShapePlan& plan);

// Per step, the heaviest path from it to a sink, its own cost included:
// the priority of a ready step in the dataflow scheduler.
std::vector<double> remaining_path(const StepDag& dag, std::span<const double> cost);

// Transitive closure of a StepDag as bitsets: reaches(a, b) iff a path a -> b
// exists (a != b). n^2 bits: callers bound n (kMaxReachabilitySteps).
class Reachability {
 public:
  explicit Reachability(const StepDag& dag);
  bool reaches(uint32_t a, uint32_t b) const { return (bits_[a * words_ + b / 64] >> (b % 64)) & 1; }

 private:
  size_t words_ = 0;
  std::vector<uint64_t> bits_;
};

// 16k steps -> 32 MiB of bitsets; larger plans run sequentially.
inline constexpr size_t kMaxReachabilitySteps = 16384;

}  // namespace parallax
