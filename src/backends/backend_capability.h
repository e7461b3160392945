// What a real backend would run, as the partitioner's Capability
// (partition/regions.h): `plan` and tests ask the backend's own supports()
// about every node without compiling a program or making a kernel.
//
//   PX_ASSIGN_OR_RETURN(std::shared_ptr<Backend> ocl, make_backend(Accelerator::kOpenCL, {}));
//   RegionOptions opts{.supported = backend_capability(graph, *ocl, {"Conv", "Relu"})};
#pragma once

#include <set>
#include <string>

#include "backends/backend.h"
#include "core/status_macros.h"
#include "graph/graph.h"
#include "partition/regions.h"

namespace parallax {

// True for a node of `graph` that `backend` supports and whose op is in `ops`
// (empty: every op). The capability keeps references to `graph` and
// `backend`: both must outlive it. Control-flow bodies are not compiled, so a
// backend that would need them to decide says no.
Capability backend_capability(const Graph& graph, const Backend& backend, const std::set<std::string>& ops = {});

}  // namespace parallax
