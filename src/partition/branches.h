// Branch-Layer partitioning (docs/method.md, "Graph analysis and
// partitioning"): a pure function from a graph and its work estimates to a
// Partition, plain data with ids and no pointers.
//
//   PX_ASSIGN_OR_RETURN(Partition p, partition(graph, work, {.threads = 4}));
//   for (const Layer& l : p.layers) ... l.branches, l.parallel, l.reason
//
// Worked example, a diamond after a stem (x is a graph input):
//
//        x -> S:Conv -> A:Conv          S, A : Sequential     b0 = [S, A]
//                      /      \         A : Splitter (1 in, 2 out)
//               B:Relu        C:Sigmoid B, C : Sequential     b1 = [B], b2 = [C]
//                      \      /
//                       M:Add           M : Merger (2 in, 1 out)  b3 = [M]
//
//   branch DAG: b0 -> b1, b0 -> b2, b1 -> b3, b2 -> b3
//   layers (Kahn): L0 = {b0}, L1 = {b1, b2}, L2 = {b3}
//   L1 runs sequentially, reason "branch b1 has 1 op (parallel needs > 2)";
//   with three ops on each side and balanced MACs it would run in parallel.
//
// Rules. A node's class comes from its distinct producer / consumer nodes:
// Sequential (<= 1 in, <= 1 out), Splitter (<= 1, > 1), Merger (> 1, <= 1),
// SplitMerge (> 1, > 1); If / Loop / Scan are forced to SplitMerge. A
// node joins its producer's branch iff it has exactly one producer, that
// producer has exactly one consumer, and neither is control flow or a device
// region. An offloaded device region (regions.h) is one indivisible unit and
// one branch of its own. A layer runs in parallel iff it has >= 2 branches,
// every branch has > 2 ops (min_branch_ops) and F_max / F_min <= beta.
// Everything is O(|V| + |E|).
#pragma once

#include <string>
#include <vector>

#include "core/status_macros.h"
#include "graph/graph.h"
#include "partition/regions.h"
#include "partition/work_estimate.h"

namespace parallax {

struct BranchTag {};
struct LayerTag {};
using BranchId = Id<BranchTag>;
using LayerId = Id<LayerTag>;

enum class NodeClass : uint8_t { kSequential, kSplitter, kMerger, kSplitMerge };
const char* node_class_name(NodeClass c);

struct PartitionOptions {
  int threads = 1;             // for the latency bound max(critical path, work / threads)
  double beta = 1.5;           // refinement: F_max / F_min <= beta
  int64_t min_branch_ops = 3;  // refinement: every branch has N > 2 ops
  RegionOptions accelerator;   // capability, device profile, offload rule
  // Regions already decided for this graph (a Program's placement,
  // runtime/offload_choice.h): taken as they are instead of found again from
  // `accelerator`, so that every partition of a session, whatever its input
  // shapes, has the device regions its kernels were placed by. Not owned.
  const RegionSet* regions = nullptr;
};

struct NodePlacement {
  NodeClass cls = NodeClass::kSequential;  // of its unit (a region has one class)
  BranchId branch;                         // invalid for nodes that do not run
  RegionId region;                         // offloaded region, or invalid (CPU)
  std::string device_reason;               // why it runs where it runs
};

struct Branch {
  BranchId id;
  LayerId layer;
  std::vector<NodeId> nodes;     // execution order
  RegionId region;               // valid: the whole branch is one offloaded region
  double macs = 0;
  std::vector<ValueId> inputs;   // read here, produced elsewhere (graph inputs too; no constants)
  std::vector<ValueId> outputs;  // produced here, read by other branches or graph outputs
  std::vector<BranchId> preds;   // the branch dependency DAG
  std::vector<BranchId> succs;
};

struct Layer {
  LayerId id;
  std::vector<BranchId> branches;
  bool parallel = false;
  std::string reason;  // why it runs in parallel or sequentially
  double macs = 0;
};

struct Partition {
  std::vector<NodePlacement> nodes;  // indexed by NodeId
  std::vector<Region> regions;       // every candidate region, offloaded or pruned
  std::vector<Branch> branches;      // ids in a topological order of the branch DAG
  std::vector<Layer> layers;
  size_t running_nodes = 0;          // nodes that execute (folded ones excluded)
  double total_macs = 0;
  double critical_path_macs = 0;     // heaviest path through the branch DAG
  double bound_macs = 0;             // max(critical path, total / threads)
  bool work_known = true;            // false: some node's shapes were unknown (counted as 0)
  int threads = 1;

  size_t parallel_layers() const;
  size_t max_branches_per_layer() const;
};

// `work` is indexed by NodeId (estimate_work). Errors: a cycle, a size mismatch, bad options.
Result<Partition> partition(const Graph& graph, const std::vector<NodeWork>& work, const PartitionOptions& options);

}  // namespace parallax
