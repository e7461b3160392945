// Which nodes an accelerator gets (the Parallax method's delegate pruning,
// partition/regions.h): the nodes it supports form candidate regions, and a
// region goes to the device only if the offload rule says it pays, judged at
// the model's declared input shapes (symbolic dimensions as 1). With
// OffloadRule::kAlways every supported node goes, as a TFLite delegate or an
// ORT execution provider would take it. The regions are kept with the choice:
// `parallax plan --accelerator` prints them from the same compiled model.
//
//   OffloadChoice c = choose_offload(graph, cpu_kernels, supported, {.profile = p, .rule = OffloadRule::kCostModel});
//   // c.on_device[n]; c.summary == "opencl regions: 12 candidate (80 nodes), 3 kept (61 nodes) ..."
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "kernels/op_kernel.h"
#include "partition/device_profile.h"
#include "partition/regions.h"
#include "partition/work_estimate.h"

namespace parallax {

struct OffloadOptions {
  DeviceProfile profile;
  OffloadRule rule = OffloadRule::kAlways;
  size_t max_tensor_bytes = size_t{16} << 30;
};

struct OffloadChoice {
  std::vector<bool> on_device;  // indexed by node
  // The candidate regions and which were kept, judged at the declared
  // shapes: every partition of the program takes them as they are
  // (PartitionOptions::regions). Empty when no region could be formed.
  RegionSet regions;
  std::vector<NodeWork> work;  // at the declared shapes (zero where they do not plan)
  std::string summary;         // candidate and kept regions, and why
};

// `kernels` are the CPU kernels (for shape inference); `supported[n]`: the
// backend can run node n. When the declared shapes cannot be planned (an
// input without a declared shape), every supported node is offloaded and the
// summary says so.
OffloadChoice choose_offload(const Graph& graph, std::span<const std::unique_ptr<OpKernel>> kernels,
                             const std::vector<bool>& supported, const OffloadOptions& options);

// Where some offloaded nodes did not get a device kernel after all
// (on_device[n] false), the regions are formed again over the nodes that
// did, every one offloaded: dropping a node from the middle of a region
// could leave a path region -> CPU node -> region, a cycle once contracted.
// The pruned candidates are then no longer listed.
Status keep_placed_nodes(const Graph& graph, const OffloadChoice& choice, std::span<const bool> on_device,
                         RegionSet& regions);

}  // namespace parallax
