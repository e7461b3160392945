#include "partition/plan_print.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace parallax {

namespace {

std::string macs_str(double m) {
  char buf[32];
  if (m >= 1e9) std::snprintf(buf, sizeof buf, "%.3f GMAC", m / 1e9);
  else if (m >= 1e6) std::snprintf(buf, sizeof buf, "%.3f MMAC", m / 1e6);
  else std::snprintf(buf, sizeof buf, "%.0f MAC", m);
  return buf;
}

std::string node_label(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  return n.name.empty() ? n.op_type + "#" + std::to_string(id.index()) : n.name;
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string plan_text(const Graph& graph, const Partition& p) {
  std::ostringstream out;
  size_t offloaded = 0;
  for (const Region& r : p.regions) offloaded += r.offload ? 1 : 0;
  const double speedup = p.bound_macs > 0 ? p.total_macs / p.bound_macs : 1.0;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "nodes %zu  branches %zu  layers %zu  parallel layers %zu  max branches/layer %zu\n",
                p.running_nodes, p.branches.size(), p.layers.size(), p.parallel_layers(), p.max_branches_per_layer());
  out << buf;
  out << "work " << macs_str(p.total_macs) << "  critical path " << macs_str(p.critical_path_macs) << "  bound (T="
      << p.threads << ") " << macs_str(p.bound_macs);
  std::snprintf(buf, sizeof buf, "  (speed-up limit %.2fx)\n", speedup);
  out << buf;
  if (!p.work_known) out << "note: some shapes are known only at run time; their nodes count 0 MACs\n";
  if (!p.regions.empty()) {
    out << "device regions: " << p.regions.size() << " candidates, " << offloaded << " offloaded\n";
    for (const Region& r : p.regions)
      out << "  r" << r.id.index() << ": " << r.nodes.size() << " ops, " << macs_str(r.cost.macs) << ", "
          << static_cast<int64_t>(r.cost.boundary_bytes) << " B boundary: " << (r.offload ? "offload (" : "cpu (")
          << r.reason << ")\n";
  }
  for (const Layer& l : p.layers) {
    if (l.branches.size() < 2) continue;
    out << "  L" << l.id.index() << ": " << l.branches.size() << " branches, " << macs_str(l.macs) << ", "
        << (l.parallel ? "parallel" : "sequential") << " (" << l.reason << ")\n";
    for (BranchId b : l.branches) {
      const Branch& br = p.branches[b.index()];
      out << "    b" << b.index() << ": " << br.nodes.size() << " ops, " << macs_str(br.macs)
          << (br.region.valid() ? ", accelerator region r" + std::to_string(br.region.index()) : "") << ", "
          << node_label(graph, br.nodes.front()) << (br.nodes.size() > 1 ? " .. " + node_label(graph, br.nodes.back()) : "")
          << "\n";
    }
  }
  return out.str();
}

nlohmann::json plan_json(const Graph& graph, const Partition& p) {
  using nlohmann::json;
  auto value_names = [&](const std::vector<ValueId>& vs) {
    json a = json::array();
    for (ValueId v : vs) a.push_back(graph.value(v).name);
    return a;
  };
  auto ids = [](const std::vector<BranchId>& bs) {
    json a = json::array();
    for (BranchId b : bs) a.push_back(b.index());
    return a;
  };
  json j;
  j["summary"] = {{"nodes", p.running_nodes},
                  {"branches", p.branches.size()},
                  {"layers", p.layers.size()},
                  {"parallel_layers", p.parallel_layers()},
                  {"max_branches_per_layer", p.max_branches_per_layer()},
                  {"total_macs", p.total_macs},
                  {"critical_path_macs", p.critical_path_macs},
                  {"bound_macs", p.bound_macs},
                  {"threads", p.threads},
                  {"work_known", p.work_known}};
  json nodes = json::array();
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const NodePlacement& np = p.nodes[i];
    json n = {{"name", node_label(graph, NodeId(i))}, {"op", graph.nodes[i].op_type}, {"device", np.device_reason}};
    if (np.branch.valid()) {
      n["branch"] = np.branch.index();
      n["class"] = node_class_name(np.cls);
    }
    if (np.region.valid()) n["region"] = np.region.index();
    nodes.push_back(std::move(n));
  }
  j["nodes"] = std::move(nodes);
  json branches = json::array();
  for (const Branch& b : p.branches) {
    json names = json::array();
    for (NodeId n : b.nodes) names.push_back(node_label(graph, n));
    json jb = {{"id", b.id.index()},   {"layer", b.layer.index()},      {"nodes", std::move(names)},
               {"macs", b.macs},       {"inputs", value_names(b.inputs)}, {"outputs", value_names(b.outputs)},
               {"preds", ids(b.preds)}, {"succs", ids(b.succs)}};
    if (b.region.valid()) jb["region"] = b.region.index();
    branches.push_back(std::move(jb));
  }
  j["branches"] = std::move(branches);
  json layers = json::array();
  for (const Layer& l : p.layers)
    layers.push_back({{"id", l.id.index()}, {"branches", ids(l.branches)}, {"parallel", l.parallel},
                      {"reason", l.reason}, {"macs", l.macs}});
  j["layers"] = std::move(layers);
  json regions = json::array();
  for (const Region& r : p.regions) {
    json names = json::array();
    for (NodeId n : r.nodes) names.push_back(node_label(graph, n));
    regions.push_back({{"id", r.id.index()}, {"nodes", std::move(names)}, {"ops", r.cost.ops},
                       {"macs", r.cost.macs}, {"boundary_bytes", r.cost.boundary_bytes},
                       {"offload", r.offload}, {"reason", r.reason}});
  }
  j["regions"] = std::move(regions);
  return j;
}

std::string plan_dot(const Graph& graph, const Partition& p) {
  std::ostringstream out;
  out << "digraph plan {\n  rankdir=TB;\n  node [shape=box, style=filled, fontsize=10];\n";
  for (const Layer& l : p.layers) {
    out << "  subgraph cluster_L" << l.id.index() << " {\n    label=\"L" << l.id.index()
        << (l.parallel ? " (parallel)" : "") << "\";\n    color=" << (l.parallel ? "blue" : "gray") << ";\n";
    for (BranchId b : l.branches) {
      // Golden-ratio hues give neighbouring branches distinct colours.
      const double hue = std::fmod(0.618033988749895 * b.index(), 1.0);
      char color[32];
      std::snprintf(color, sizeof color, "\"%.3f 0.35 0.95\"", hue);
      for (NodeId n : p.branches[b.index()].nodes) {
        const NodePlacement& np = p.nodes[n.index()];
        out << "    n" << n.index() << " [label=\"" << dot_escape(node_label(graph, n)) << "\\n"
            << dot_escape(graph.node(n).op_type) << " b" << b.index();
        if (np.region.valid()) out << " r" << np.region.index() << "\", peripheries=2, penwidth=3, color=red";
        else out << "\"";
        out << ", fillcolor=" << color << "];\n";
      }
    }
    out << "  }\n";
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!p.nodes[i].branch.valid()) continue;
    std::vector<size_t> seen;
    for (ValueId v : graph.nodes[i].inputs) {
      if (!v.valid()) continue;
      NodeId prod = graph.value(v).producer;
      if (!prod.valid() || !p.nodes[prod.index()].branch.valid()) continue;
      if (std::find(seen.begin(), seen.end(), prod.index()) != seen.end()) continue;
      seen.push_back(prod.index());
      out << "  n" << prod.index() << " -> n" << i << ";\n";
    }
  }
  out << "}\n";
  return out.str();
}

}  // namespace parallax
