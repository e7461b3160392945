// Which nodes an accelerator gets (the Parallax method's delegate pruning,
// partition/regions.h): the nodes it supports form candidate regions, and a
// region goes to the device only if the offload rule says it pays, judged at
// the model's declared input shapes (symbolic dimensions as 1) exactly as
// `parallax plan --accelerator` shows it. With OffloadRule::kAlways every
// supported node goes, as a TFLite delegate or an ORT execution provider
// would take it.
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

namespace parallax {

struct OffloadOptions {
  DeviceProfile profile;
  OffloadRule rule = OffloadRule::kAlways;
  size_t max_tensor_bytes = size_t{16} << 30;
};

struct OffloadChoice {
  std::vector<bool> on_device;  // indexed by node
  std::string summary;          // candidate and kept regions, and why
};

// `kernels` are the CPU kernels (for shape inference); `supported[n]`: the
// backend can run node n. When the declared shapes cannot be planned (an
// input without a declared shape), every supported node is offloaded and the
// summary says so.
OffloadChoice choose_offload(const Graph& graph, std::span<const std::unique_ptr<OpKernel>> kernels,
                             const std::vector<bool>& supported, const OffloadOptions& options);

}  // namespace parallax
