// The node-to-node dataflow graph the partitioner works on: one edge per
// (producer, consumer) pair of nodes that run, duplicates removed, plus a
// topological order. Values from graph inputs, initializers and folded
// (non-running) nodes make no edges.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/graph.h"
#include "parallax/status.h"

namespace parallax {

struct NodeWork;

struct Dataflow {
  std::vector<std::vector<uint32_t>> preds;  // indexed by node; distinct producers
  std::vector<std::vector<uint32_t>> succs;  // indexed by node; distinct consumers
  std::vector<uint32_t> order;               // running nodes, topologically sorted
  std::vector<bool> runs;                    // indexed by node
};

// Error (kInvalidModel, naming a node on it) when the dataflow has a cycle.
Result<Dataflow> build_dataflow(const Graph& graph, std::span<const NodeWork> work);

// Kahn's sort of a graph given by successor lists over `nodes` (ids into
// `succs`); returns fewer than nodes.size() entries on a cycle.
std::vector<uint32_t> kahn_order(std::span<const uint32_t> nodes, const std::vector<std::vector<uint32_t>>& succs,
                                 size_t universe);

}  // namespace parallax
