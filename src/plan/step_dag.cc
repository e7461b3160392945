#include "plan/step_dag.h"

#include <algorithm>

namespace parallax {

void StepDag::add_edge(uint32_t a, uint32_t b) {
  auto& s = succs[a];
  auto it = std::lower_bound(s.begin(), s.end(), b);
  if (it != s.end() && *it == b) return;
  s.insert(it, b);
  ++num_preds[b];
}

ValueUses value_uses(const Graph& graph, std::span<const NodeId> order) {
  ValueUses uses;
  uses.writer.assign(graph.values.size(), -1);
  uses.readers.resize(graph.values.size());
  for (uint32_t s = 0; s < order.size(); ++s) {
    const Node& node = graph.node(order[s]);
    for (ValueId v : node.outputs)
      if (v.valid()) uses.writer[v.index()] = static_cast<int32_t>(s);
    for (ValueId v : node.inputs) {
      if (!v.valid()) continue;
      auto& r = uses.readers[v.index()];
      if (r.empty() || r.back() != s) r.push_back(s);
    }
  }
  return uses;
}

ValueUses arena_value_uses(const Graph& graph, std::span<const NodeId> order, const ShapePlan& plan) {
  ValueUses uses = value_uses(graph, order);
  for (size_t v = 0; v < plan.values.size() && v < uses.readers.size(); ++v) {
    if (plan.values[v].storage != Storage::kArenaView) continue;
    auto& owner = uses.readers[plan.values[v].view_of.index()];
    owner.insert(owner.end(), uses.readers[v].begin(), uses.readers[v].end());
    std::sort(owner.begin(), owner.end());
    owner.erase(std::unique(owner.begin(), owner.end()), owner.end());
  }
  return uses;
}

StepDag data_dependencies(const Graph& graph, std::span<const NodeId> order) {
  StepDag dag;
  dag.succs.resize(order.size());
  dag.num_preds.assign(order.size(), 0);
  ValueUses uses = value_uses(graph, order);
  for (size_t v = 0; v < graph.values.size(); ++v) {
    int32_t w = uses.writer[v];
    if (w < 0) continue;
    for (uint32_t r : uses.readers[v])
      if (r != static_cast<uint32_t>(w)) dag.add_edge(static_cast<uint32_t>(w), r);
  }
  return dag;
}

std::vector<double> remaining_path(const StepDag& dag, std::span<const double> cost) {
  std::vector<double> path(dag.size(), 0);
  for (size_t a = dag.size(); a-- > 0;) {
    double longest = 0;
    for (uint32_t b : dag.succs[a]) longest = std::max(longest, path[b]);
    path[a] = cost[a] + longest;
  }
  return path;
}

Reachability::Reachability(const StepDag& dag) {
  const size_t n = dag.size();
  words_ = (n + 63) / 64;
  bits_.assign(n * words_, 0);
  // Reverse sequential order is a reverse topological order.
  for (size_t a = n; a-- > 0;) {
    uint64_t* row = &bits_[a * words_];
    for (uint32_t b : dag.succs[a]) {
      row[b / 64] |= uint64_t{1} << (b % 64);
      const uint64_t* other = &bits_[b * words_];
      for (size_t w = 0; w < words_; ++w) row[w] |= other[w];
    }
  }
}

}  // namespace parallax
