// Per-node work estimates (multiply-accumulates) and tensor sizes, read from
// the resolved shapes of a ShapePlan. The partitioner weighs branches and
// device regions with them; nothing here runs a kernel.
//
//   PX_ASSIGN_OR_RETURN(auto plan, program->plan_for(inputs, {}));
//   std::vector<NodeWork> work = estimate_work(program->graph(), *plan);
//   // work[node.index()].macs: Conv 1x3x224x224 -> 64x3x7x7/2 is 118 MMAC
//
// Rules (docs/method.md): Conv / NhwcConv / depthwise / grouped:
// |Y| * Cin/group * Kh * Kw (= |Y| * |W| / W[0]); ConvTranspose: |X| * |W| /
// W[0]; MatMul / Gemm: M * N * K including batch dims (= |Y| * K); pooling:
// |Y| * window; global pooling and Reduce*: |X|; RNN/GRU/LSTM: steps * batch
// * (|W| + |R|); data movement (Reshape, Transpose, Slice, Concat, ...): 0;
// everything else counts as elementwise: |first output|. A node whose shapes
// are not known at plan time (kDynamic) gets 0 MACs and shape_known = false.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/status_macros.h"
#include "graph/graph.h"
#include "plan/shape_plan.h"

namespace parallax {

inline constexpr int64_t kUnknownBytes = -1;

struct NodeWork {
  double macs = 0;          // estimated multiply-accumulates per run
  bool shape_known = true;  // false: a shape it needs was not resolved; macs is 0
  bool runs = true;         // false: folded into a constant at plan time, never executed
  // Bytes of each input / output (aligned with Node::inputs / outputs).
  // Constant inputs (initializers, folded values) count 0: they are uploaded
  // once, not per run. kUnknownBytes where the shape is known only at run time.
  std::vector<int64_t> input_bytes;
  std::vector<int64_t> output_bytes;
};

// Resolved shape of one value, or nullopt when known only at run time.
struct ValueShape {
  std::optional<Shape> shape;
  DataType dtype = DataType::kUndefined;
  bool constant = false;
};

// MACs of one node from the shapes of its inputs and outputs (nullopt =
// unknown). Missing optional inputs are nullopt as well.
NodeWork estimate_node_work(const Node& node, std::span<const ValueShape> inputs,
                            std::span<const ValueShape> outputs);

// Every node of `graph` (indexed by NodeId) from a plan of that graph.
std::vector<NodeWork> estimate_work(const Graph& graph, const ShapePlan& plan);

}  // namespace parallax
