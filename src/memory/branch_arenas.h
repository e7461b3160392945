// The paper's branch-aware memory (docs/method.md, "Branch-aware memory"),
// kept to compare against our concurrent plan and to give the scheduler each
// branch's peak M_i:
//  - a buffer written and read inside one branch lives in that branch's arena,
//    placed greedy-by-size over the branch's own step order;
//  - a buffer crossing branches lives in a shared pool for the layers between
//    its writer and its last reader (the explicit hand-over between arenas);
//  - the branches of one layer have disjoint arenas, and layers that never run
//    together reuse the same space: total = max over layers of the sum of its
//    branch arenas, plus the crossing pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace parallax {

struct BranchMemoryInput {
  std::vector<size_t> bytes;                        // per buffer
  std::vector<int32_t> writer_step;                 // per buffer
  std::vector<std::vector<uint32_t>> reader_steps;  // per buffer
  std::vector<int32_t> step_branch;                 // per step (sequential order)
  std::vector<int32_t> branch_layer;                // per branch
};

struct BranchMemory {
  std::vector<size_t> branch_peak;  // M_i: most bytes live inside branch i (its crossing outputs included)
  std::vector<size_t> branch_arena;  // per-branch arena of the paper's plan
  size_t crossing_pool_bytes = 0;
  size_t paper_arena_bytes = 0;  // max over layers of sum of branch arenas + crossing pool
};

BranchMemory plan_branch_arenas(const BranchMemoryInput& in);

}  // namespace parallax
