#include "partition/region_summary.h"

#include <sstream>

namespace parallax {

RegionSummary summarize_regions(const Partition& p) {
  RegionSummary s;
  for (const Region& r : p.regions) {
    s.pre_regions += 1;
    s.pre_nodes += r.nodes.size();
    if (r.offload) s.post_regions += 1, s.post_nodes += r.nodes.size();
  }
  // A folded node (no branch) does not run anywhere, so it is no fallback.
  for (const NodePlacement& n : p.nodes)
    if (n.branch.valid() && !n.region.valid()) s.cpu_nodes += 1;
  for (const Layer& l : p.layers) {
    bool device = false, cpu = false;
    for (BranchId b : l.branches) (p.branches[b.index()].region.valid() ? device : cpu) = true;
    if (device && cpu) s.hetero_layers += 1;
  }
  return s;
}

std::string region_summary_text(const RegionSummary& s) {
  auto n = [](size_t count, const char* noun) {
    return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
  };
  std::ostringstream out;
  out << "  Pre " << n(s.pre_regions, "region") << " / " << n(s.pre_nodes, "node") << "   Post "
      << n(s.post_regions, "region") << " / " << n(s.post_nodes, "node") << "\n"
      << "  Parallax: " << n(s.hetero_layers, "layer") << " with a device region beside a CPU branch; "
      << n(s.cpu_nodes, "node") << " on the CPU\n";
  return out.str();
}

nlohmann::json region_summary_json(const RegionSummary& s) {
  return {{"pre_regions", s.pre_regions},     {"pre_nodes", s.pre_nodes},   {"post_regions", s.post_regions},
          {"post_nodes", s.post_nodes},       {"hetero_layers", s.hetero_layers}, {"cpu_nodes", s.cpu_nodes}};
}

}  // namespace parallax
