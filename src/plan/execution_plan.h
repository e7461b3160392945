// An ExecutionPlan decides how one ShapePlan runs: in which sequential order,
// which steps may overlap (the StepDag), where each arena value lives so that
// no two values that can be live together share bytes, and what that costs
// against the sequential plan. It is plain data, built once per input-shape
// signature and schedule settings (schedule/execution_planner.h), and cached
// by Program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parallax/session.h"
#include "plan/shape_plan.h"
#include "plan/step_dag.h"

namespace parallax {

struct ExecutionPlan {
  std::shared_ptr<const ShapePlan> shapes;
  ExecutionMode mode = ExecutionMode::kSequential;  // as run: may fall back to sequential
  std::vector<uint32_t> order;                      // position -> index into shapes->steps
  StepDag dag;                                      // over positions
  std::vector<double> cost_us;                      // estimated per position (MAC-based)
  std::vector<int32_t> branch;                      // per position: partition branch
  std::vector<int32_t> layer;                       // per position: partition layer
  size_t num_branches = 0;

  std::vector<size_t> offsets;    // per value; meaningful for Storage::kArena
  std::vector<uint32_t> readers;  // per value: distinct reading positions (release bookkeeping)
  size_t arena_bytes = 0;
  size_t sequential_arena_bytes = 0;  // the ShapePlan's own greedy plan
  size_t lower_bound_bytes = 0;       // most bytes live at one sequential step
  size_t naive_bytes = 0;             // one buffer per tensor
  size_t paper_arena_bytes = 0;       // per-branch arenas (memory/branch_arenas.h)
  std::vector<size_t> branch_peak;    // M_i per branch
  size_t data_edges = 0;
  size_t schedule_edges = 0;  // orders added by layer barriers, admission and memory sharing
  size_t memory_orders = 0;   // value pairs sharing bytes only thanks to an added order
  std::string note;           // why concurrency was limited, if it was
};

}  // namespace parallax
