#include "partition/dataflow.h"

#include "partition/work_estimate.h"

namespace parallax {

std::vector<uint32_t> kahn_order(std::span<const uint32_t> nodes, const std::vector<std::vector<uint32_t>>& succs,
                                 size_t universe) {
  std::vector<uint32_t> indeg(universe, 0);
  for (uint32_t n : nodes)
    for (uint32_t s : succs[n]) ++indeg[s];
  std::vector<uint32_t> order;
  order.reserve(nodes.size());
  for (uint32_t n : nodes)
    if (indeg[n] == 0) order.push_back(n);
  for (size_t head = 0; head < order.size(); ++head)
    for (uint32_t s : succs[order[head]])
      if (--indeg[s] == 0) order.push_back(s);
  return order;
}

Result<Dataflow> build_dataflow(const Graph& graph, std::span<const NodeWork> work) {
  const size_t n = graph.nodes.size();
  if (work.size() != n)
    return error(StatusCode::kInvalidArgument, "work estimates cover ", work.size(), " nodes, the graph has ", n);
  Dataflow df;
  df.preds.resize(n);
  df.succs.resize(n);
  df.runs.resize(n);
  for (size_t i = 0; i < n; ++i) df.runs[i] = work[i].runs && !graph.nodes[i].removed;
  std::vector<uint32_t> seen(n, UINT32_MAX);  // last consumer that recorded this producer
  std::vector<uint32_t> running;
  for (size_t i = 0; i < n; ++i) {
    if (!df.runs[i]) continue;
    const uint32_t c = static_cast<uint32_t>(i);
    running.push_back(c);
    for (ValueId v : graph.nodes[i].inputs) {
      if (!v.valid()) continue;
      if (v.index() >= graph.values.size())
        return error(StatusCode::kInvalidModel, graph.nodes[i].describe(), " reads value #", v.index(),
                     " which does not exist");
      NodeId p = graph.value(v).producer;
      if (!p.valid() || p.index() >= n || !df.runs[p.index()] || seen[p.index()] == c) continue;
      seen[p.index()] = c;
      df.preds[c].push_back(p.index());
      df.succs[p.index()].push_back(c);
    }
  }
  df.order = kahn_order(running, df.succs, n);
  if (df.order.size() != running.size()) {
    std::vector<bool> sorted(n, false);
    for (uint32_t o : df.order) sorted[o] = true;
    for (uint32_t r : running)
      if (!sorted[r])
        return error(StatusCode::kInvalidModel, "the graph has a cycle; ", graph.nodes[r].describe(), " is on it or after it");
  }
  return df;
}

}  // namespace parallax
