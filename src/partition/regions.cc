#include "partition/regions.h"

#include <numeric>

namespace parallax {

namespace {

struct UnionFind {
  std::vector<uint32_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  uint32_t find(uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(uint32_t a, uint32_t b) { parent[find(a)] = find(b); }
};

// Phase of every running node in an alternating Kahn sort (see regions.h).
std::vector<uint32_t> alternating_phases(const Dataflow& df, const std::vector<bool>& sup) {
  const size_t n = df.runs.size();
  std::vector<uint32_t> indeg(n, 0), phase(n, 0);
  std::vector<uint32_t> ready[2];  // [0] unsupported, [1] supported
  for (uint32_t v : df.order) {
    indeg[v] = static_cast<uint32_t>(df.preds[v].size());
    if (indeg[v] == 0) ready[sup[v] ? 1 : 0].push_back(v);
  }
  uint32_t current = 0;
  size_t placed = 0;
  while (placed < df.order.size()) {
    for (int kind = 0; kind < 2; ++kind) {
      ++current;
      std::vector<uint32_t>& q = ready[kind];
      while (!q.empty()) {
        uint32_t v = q.back();
        q.pop_back();
        phase[v] = current;
        ++placed;
        for (uint32_t s : df.succs[v])
          if (--indeg[s] == 0) ready[sup[s] ? 1 : 0].push_back(s);
      }
    }
  }
  return phase;
}

RegionCost cost_of(const Graph& graph, std::span<const NodeWork> work, const Region& r,
                   const std::vector<RegionId>& candidate, std::vector<uint32_t>& value_stamp) {
  RegionCost c;
  c.ops = static_cast<int64_t>(r.nodes.size());
  auto add_bytes = [&](int64_t b) {
    if (b == kUnknownBytes) c.known = false;
    else c.boundary_bytes += static_cast<double>(b);
  };
  for (NodeId id : r.nodes) {
    const Node& n = graph.node(id);
    const NodeWork& w = work[id.index()];
    c.macs += w.macs;
    c.known = c.known && w.shape_known;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      ValueId v = n.inputs[k];
      if (!v.valid() || value_stamp[v.index()] == r.id.index()) continue;
      NodeId p = graph.value(v).producer;
      if (p.valid() && candidate[p.index()] == r.id) continue;
      value_stamp[v.index()] = r.id.index();
      add_bytes(k < w.input_bytes.size() ? w.input_bytes[k] : kUnknownBytes);
    }
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      ValueId v = n.outputs[k];
      if (!v.valid()) continue;
      const Value& val = graph.value(v);
      bool leaves = val.is_graph_output;
      for (NodeId u : val.consumers) leaves = leaves || candidate[u.index()] != r.id;
      if (leaves) add_bytes(k < w.output_bytes.size() ? w.output_bytes[k] : kUnknownBytes);
    }
  }
  return c;
}

}  // namespace

Result<RegionSet> find_regions(const Graph& graph, std::span<const NodeWork> work, const Dataflow& df,
                               const RegionOptions& options) {
  const size_t n = graph.nodes.size();
  RegionSet rs;
  rs.node_region.assign(n, RegionId());
  rs.candidate.assign(n, RegionId());
  if (!options.supported) return rs;
  std::vector<bool> sup(n, false);
  for (uint32_t v : df.order) sup[v] = options.supported(graph.nodes[v]);
  const std::vector<uint32_t> phase = alternating_phases(df, sup);
  UnionFind uf(n);
  for (uint32_t v : df.order)
    for (uint32_t s : df.succs[v])
      if (sup[v] && sup[s] && phase[v] == phase[s]) uf.unite(v, s);
  std::vector<RegionId> root_region(n, RegionId());
  for (uint32_t v : df.order) {
    if (!sup[v]) continue;
    uint32_t root = uf.find(v);
    if (!root_region[root].valid()) {
      root_region[root] = RegionId(rs.regions.size());
      rs.regions.emplace_back().id = root_region[root];
    }
    rs.candidate[v] = root_region[root];
    rs.regions[root_region[root].index()].nodes.push_back(NodeId(v));
  }
  std::vector<uint32_t> value_stamp(graph.values.size(), UINT32_MAX);
  for (Region& r : rs.regions) {
    r.cost = cost_of(graph, work, r, rs.candidate, value_stamp);
    OffloadDecision d = decide_offload(r.cost, options.profile, options.rule, options.thresholds);
    r.offload = d.offload;
    r.reason = std::move(d.reason);
    if (r.offload)
      for (NodeId id : r.nodes) rs.node_region[id.index()] = r.id;
  }
  return rs;
}

}  // namespace parallax
