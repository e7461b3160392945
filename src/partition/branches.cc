#include "core/status_macros.h"
#include "partition/branches.h"

#include <algorithm>
#include <sstream>

namespace parallax {

namespace {

bool is_control_flow(const Node& n) {
  return n.domain.empty() && (n.op_type == "If" || n.op_type == "Loop" || n.op_type == "Scan");
}

std::string fmt(double v) {
  std::ostringstream out;
  out.precision(3);
  out << v;
  return out.str();
}

// Units: single CPU nodes, or one offloaded region contracted into one node.
struct Units {
  std::vector<uint32_t> of_node;                    // node -> unit (UINT32_MAX: not running)
  std::vector<std::vector<uint32_t>> nodes;         // unit -> nodes, topological order
  std::vector<RegionId> region;                     // unit -> region (invalid: CPU node)
  std::vector<std::vector<uint32_t>> preds, succs;  // distinct
  std::vector<bool> breaks_chain;                   // control flow or device region
};

Units build_units(const Graph& graph, const Dataflow& df, const RegionSet& rs) {
  Units u;
  u.of_node.assign(graph.nodes.size(), UINT32_MAX);
  std::vector<uint32_t> region_unit(rs.regions.size(), UINT32_MAX);
  for (uint32_t v : df.order) {
    RegionId r = rs.node_region[v];
    uint32_t unit = r.valid() ? region_unit[r.index()] : UINT32_MAX;
    if (unit == UINT32_MAX) {
      unit = static_cast<uint32_t>(u.nodes.size());
      u.nodes.emplace_back();
      u.region.push_back(r);
      u.breaks_chain.push_back(r.valid() || is_control_flow(graph.nodes[v]));
      if (r.valid()) region_unit[r.index()] = unit;
    }
    u.of_node[v] = unit;
    u.nodes[unit].push_back(v);
  }
  const size_t n = u.nodes.size();
  u.preds.resize(n);
  u.succs.resize(n);
  std::vector<uint32_t> stamp(n, UINT32_MAX);
  for (uint32_t c = 0; c < n; ++c)
    for (uint32_t v : u.nodes[c])
      for (uint32_t p : df.preds[v]) {
        uint32_t pu = u.of_node[p];
        if (pu == c || stamp[pu] == c) continue;
        stamp[pu] = c;
        u.preds[c].push_back(pu);
        u.succs[pu].push_back(c);
      }
  return u;
}

NodeClass classify(size_t in, size_t out, bool forced) {
  if (forced || (in > 1 && out > 1)) return NodeClass::kSplitMerge;
  if (in > 1) return NodeClass::kMerger;
  if (out > 1) return NodeClass::kSplitter;
  return NodeClass::kSequential;
}

void collect_values(const Graph& graph, const std::vector<bool>& runs, Branch& b, const std::vector<uint32_t>& branch_of,
                    std::vector<uint32_t>& stamp) {
  const uint32_t me = b.id.index();
  for (NodeId id : b.nodes) {
    for (ValueId v : graph.node(id).inputs) {
      if (!v.valid() || stamp[v.index()] == me) continue;
      const Value& val = graph.value(v);
      if (val.initializer) continue;
      NodeId p = val.producer;
      if (p.valid() && (!runs[p.index()] || branch_of[p.index()] == me)) continue;
      stamp[v.index()] = me;
      b.inputs.push_back(v);
    }
    for (ValueId v : graph.node(id).outputs) {
      if (!v.valid()) continue;
      const Value& val = graph.value(v);
      bool leaves = val.is_graph_output;
      for (NodeId c : val.consumers) leaves = leaves || branch_of[c.index()] != me;
      if (leaves) b.outputs.push_back(v);
    }
  }
}

void refine(Layer& layer, const std::vector<Branch>& branches, const PartitionOptions& o) {
  if (layer.branches.size() < 2) {
    layer.reason = "single branch";
    return;
  }
  double lo = 0, hi = 0;
  for (size_t i = 0; i < layer.branches.size(); ++i) {
    const Branch& b = branches[layer.branches[i].index()];
    if (static_cast<int64_t>(b.nodes.size()) < o.min_branch_ops) {
      layer.reason = "branch b" + std::to_string(b.id.index()) + " has " + std::to_string(b.nodes.size()) +
                     (b.nodes.size() == 1 ? " op" : " ops") + " (parallel needs >= " +
                     std::to_string(o.min_branch_ops) + ")";
      return;
    }
    lo = i == 0 ? b.macs : std::min(lo, b.macs);
    hi = i == 0 ? b.macs : std::max(hi, b.macs);
  }
  if (lo <= 0) {
    layer.reason = "a branch has no estimated work (F_min = 0)";
    return;
  }
  const double ratio = hi / lo;
  if (ratio > o.beta) {
    layer.reason = "imbalanced: F_max / F_min = " + fmt(ratio) + " > beta " + fmt(o.beta);
    return;
  }
  layer.parallel = true;
  layer.reason = std::to_string(layer.branches.size()) + " branches of >= " + std::to_string(o.min_branch_ops) +
                 " ops, F_max / F_min = " + fmt(ratio) + " <= beta " + fmt(o.beta);
}

std::string device_reason(const RegionSet& rs, uint32_t v, bool has_accelerator) {
  if (!has_accelerator) return "cpu: no accelerator";
  RegionId cand = rs.candidate[v];
  if (!cand.valid()) return "cpu: not supported by the accelerator";
  const Region& r = rs.regions[cand.index()];
  return (r.offload ? "accelerator: region r" : "cpu: region r") + std::to_string(cand.index()) +
         (r.offload ? " offloaded, " : " pruned, ") + r.reason;
}

}  // namespace

const char* node_class_name(NodeClass c) {
  switch (c) {
    case NodeClass::kSequential: return "Sequential";
    case NodeClass::kSplitter: return "Splitter";
    case NodeClass::kMerger: return "Merger";
    case NodeClass::kSplitMerge: return "SplitMerge";
  }
  return "?";
}

size_t Partition::parallel_layers() const {
  return static_cast<size_t>(std::count_if(layers.begin(), layers.end(), [](const Layer& l) { return l.parallel; }));
}

size_t Partition::max_branches_per_layer() const {
  size_t m = 0;
  for (const Layer& l : layers) m = std::max(m, l.branches.size());
  return m;
}

Result<Partition> partition(const Graph& graph, const std::vector<NodeWork>& work, const PartitionOptions& options) {
  if (options.threads < 1) return error(StatusCode::kInvalidArgument, "partition: threads must be >= 1");
  if (!(options.beta >= 1.0)) return error(StatusCode::kInvalidArgument, "partition: beta must be >= 1");
  if (options.min_branch_ops < 1) return error(StatusCode::kInvalidArgument, "partition: min_branch_ops must be >= 1");
  PX_ASSIGN_OR_RETURN(Dataflow df, build_dataflow(graph, work));
  RegionSet rs;
  if (options.regions) {
    if (options.regions->node_region.size() != graph.nodes.size() ||
        options.regions->candidate.size() != graph.nodes.size())
      return error(StatusCode::kInvalidArgument, "partition: the given regions are for a graph of ",
                   options.regions->node_region.size(), " nodes, not ", graph.nodes.size());
    rs = *options.regions;
  } else {
    PX_ASSIGN_OR_RETURN(rs, find_regions(graph, work, df, options.accelerator));
  }
  const bool has_accelerator = options.regions != nullptr || bool(options.accelerator.supported);
  const Units u = build_units(graph, df, rs);
  const size_t num_units = u.nodes.size();
  std::vector<uint32_t> all_units(num_units);
  for (uint32_t i = 0; i < num_units; ++i) all_units[i] = i;
  const std::vector<uint32_t> unit_order = kahn_order(all_units, u.succs, num_units);
  if (unit_order.size() != num_units)
    return error(StatusCode::kInternal, "partition: contracting device regions made a cycle");

  Partition p;
  p.threads = options.threads;
  p.running_nodes = df.order.size();
  p.nodes.resize(graph.nodes.size());
  p.regions = rs.regions;
  std::vector<uint32_t> branch_of_unit(num_units, UINT32_MAX);
  std::vector<uint32_t> branch_of_node(graph.nodes.size(), UINT32_MAX);
  for (uint32_t unit : unit_order) {
    bool joins = false;
    if (u.preds[unit].size() == 1 && !u.breaks_chain[unit]) {
      uint32_t pred = u.preds[unit][0];
      joins = u.succs[pred].size() == 1 && !u.breaks_chain[pred];
    }
    uint32_t b = joins ? branch_of_unit[u.preds[unit][0]] : static_cast<uint32_t>(p.branches.size());
    if (!joins) {
      Branch& fresh = p.branches.emplace_back();
      fresh.id = BranchId(b);
      fresh.region = u.region[unit];
    }
    branch_of_unit[unit] = b;
    Branch& br = p.branches[b];
    const bool forced = u.nodes[unit].size() == 1 && is_control_flow(graph.nodes[u.nodes[unit][0]]);
    const NodeClass cls = classify(u.preds[unit].size(), u.succs[unit].size(), forced);
    for (uint32_t v : u.nodes[unit]) {
      br.nodes.push_back(NodeId(v));
      br.macs += work[v].macs;
      p.work_known = p.work_known && work[v].shape_known;
      branch_of_node[v] = b;
      p.nodes[v] = NodePlacement{cls, BranchId(b), rs.node_region[v], device_reason(rs, v, has_accelerator)};
    }
  }
  for (size_t v = 0; v < graph.nodes.size(); ++v)
    if (!df.runs[v]) p.nodes[v].device_reason = "folded at plan time";

  // Branch DAG; branch ids are already topologically ordered (a branch's only
  // entry is its first unit, created after all of that unit's producers).
  std::vector<uint32_t> stamp(p.branches.size(), UINT32_MAX);
  for (uint32_t unit : unit_order) {
    const uint32_t b = branch_of_unit[unit];
    for (uint32_t pu : u.preds[unit]) {
      const uint32_t pb = branch_of_unit[pu];
      if (pb == b || stamp[pb] == b) continue;
      stamp[pb] = b;
      p.branches[b].preds.push_back(BranchId(pb));
      p.branches[pb].succs.push_back(BranchId(b));
    }
  }
  // Layers (Kahn by levels) and the critical path, in branch id order.
  std::vector<double> finish(p.branches.size(), 0);
  std::vector<uint32_t> value_stamp(graph.values.size(), UINT32_MAX);
  for (Branch& b : p.branches) {
    uint32_t level = 0;
    double start = 0;
    for (BranchId pb : b.preds) {
      level = std::max(level, p.branches[pb.index()].layer.index() + 1);
      start = std::max(start, finish[pb.index()]);
    }
    finish[b.id.index()] = start + b.macs;
    p.critical_path_macs = std::max(p.critical_path_macs, finish[b.id.index()]);
    p.total_macs += b.macs;
    b.layer = LayerId(level);
    if (level == p.layers.size()) {
      Layer& fresh = p.layers.emplace_back();
      fresh.id = LayerId(level);
    }
    p.layers[level].branches.push_back(b.id);
    p.layers[level].macs += b.macs;
    collect_values(graph, df.runs, b, branch_of_node, value_stamp);
  }
  for (Layer& l : p.layers) refine(l, p.branches, options);
  p.bound_macs = std::max(p.critical_path_macs, p.total_macs / options.threads);
  return p;
}

}  // namespace parallax
