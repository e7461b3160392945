#include "graph/passes/passes.h"

namespace parallax {

Status optimize_graph(Graph& graph) {
  (void)graph;
  return Status::ok();
}

}  // namespace parallax
