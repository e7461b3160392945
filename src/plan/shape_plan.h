// A ShapePlan is everything the executor needs for one input-shape
// signature: where each value lives (constant, input, arena offset, owned,
// or decided at run time), which nodes still run (shape-only subgraphs are
// folded into constants), and the arena size. Plans are plain data, built by
// make_shape_plan() (runtime/shape_planner.h) and cached by Program; the
// executor binds the offsets.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {

enum class Storage : uint8_t {
  kUnused,    // never produced in this plan (optional output not requested, unused value)
  kConstant,  // initializer or folded at plan time: `constant` holds it
  kInput,     // a graph input fed by the caller
  kOuter,     // an outer-scope value fed by the enclosing graph
  kArena,     // static shape, lives at `offset` in the arena
  kOwned,     // static shape, graph output: allocated per run and handed to the caller
  kDynamic,   // shape known only at run time: allocated when produced, dropped after last use
  kArenaView, // static shape, no bytes of its own: input 0's arena bytes seen with a new shape
              // (OpKernel::output_views_input); `view_of` names the arena value that owns them
};

struct ValuePlan {
  Storage storage = Storage::kUnused;
  DataType dtype = DataType::kUndefined;
  Shape shape;           // valid unless storage is kDynamic/kUnused
  size_t offset = 0;     // kArena, kArenaView (the owner's)
  ValueId view_of;       // kArenaView only: the kArena value whose bytes it shares
  Tensor constant;       // kConstant only
};

struct PlanStep {
  NodeId node;
  bool static_shapes = true;          // all outputs planned; no run-time infer needed
  std::vector<ValueId> release_after;  // dynamic values whose last reader is this step
};

struct ShapePlan {
  std::vector<ValuePlan> values;  // indexed by ValueId
  std::vector<PlanStep> steps;
  size_t arena_bytes = 0;
  size_t naive_bytes = 0;        // one buffer per arena value: what no reuse would cost
  size_t lower_bound_bytes = 0;  // most bytes live at one step
  size_t folded_nodes = 0;
};

}  // namespace parallax
