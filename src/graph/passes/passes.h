// Graph cleanups run between loading and compiling, in a fixed order.
// Each pass is a function from graph to graph (edited in place on the
// session's private copy), and keeps the graph topologically sorted.
#pragma once

#include "graph/graph.h"
#include "parallax/status.h"

namespace parallax {

// Runs every pass below, in order, on `graph` and its subgraphs.
Status optimize_graph(Graph& graph);

}  // namespace parallax
