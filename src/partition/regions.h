// Device regions: maximal connected sets of nodes an accelerator supports,
// each contracted into one unit without creating a cycle, then kept only if
// offloading pays (device_profile.h).
//
// Contraction is cycle-free by construction: a Kahn sort alternates phases,
// first every ready unsupported node, then every ready supported node (and
// those it makes ready); a region is a connected component of the supported
// nodes of one phase. A path that leaves a region can only reach later
// phases, so it never re-enters. A connected supported set that a path
// through a CPU node would turn into a cycle (A -> cpu -> B with A -> B)
// ends up split across phases: {A} and {B}.
//
//   RegionOptions opts{.supported = [](const Node& n) { return n.op_type == "Conv"; }};
//   PX_ASSIGN_OR_RETURN(RegionSet rs, find_regions(graph, work, df, opts));
//   // rs.regions[r].nodes, .offload, .reason; rs.node_region[node] (offloaded only)
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/status_macros.h"
#include "graph/graph.h"
#include "partition/dataflow.h"
#include "partition/device_profile.h"
#include "partition/work_estimate.h"

namespace parallax {

struct RegionTag {};
using RegionId = Id<RegionTag>;

using Capability = std::function<bool(const Node&)>;

struct RegionOptions {
  Capability supported;  // empty: no accelerator, no regions
  DeviceProfile profile;
  OffloadRule rule = OffloadRule::kCostModel;
  FixedThresholds thresholds;
};

struct Region {
  RegionId id;
  std::vector<NodeId> nodes;  // topological order
  RegionCost cost;            // N, F, B
  bool offload = false;       // kept by the cost rule
  std::string reason;         // why it was kept or pruned
};

struct RegionSet {
  std::vector<Region> regions;        // every candidate, offloaded or pruned
  std::vector<RegionId> node_region;  // indexed by node; valid only for offloaded regions
  std::vector<RegionId> candidate;    // indexed by node; the candidate region, pruned or not
};

Result<RegionSet> find_regions(const Graph& graph, std::span<const NodeWork> work, const Dataflow& df,
                               const RegionOptions& options);

}  // namespace parallax
