#include "memory/branch_arenas.h"

#include <algorithm>

#include "memory/greedy_planner.h"

namespace parallax {

BranchMemory plan_branch_arenas(const BranchMemoryInput& in) {
  const size_t num_branches = in.branch_layer.size();
  size_t num_layers = 0;
  for (int32_t l : in.branch_layer) num_layers = std::max(num_layers, static_cast<size_t>(l) + 1);

  // Position of each step inside its branch (steps of a branch in sequential order).
  std::vector<int32_t> local(in.step_branch.size(), 0), branch_len(num_branches, 0);
  for (size_t s = 0; s < in.step_branch.size(); ++s) {
    int32_t b = in.step_branch[s];
    if (b >= 0) local[s] = branch_len[static_cast<size_t>(b)]++;
  }

  std::vector<std::vector<BufferRequest>> inside(num_branches), peak_view(num_branches);
  std::vector<BufferRequest> crossing;
  for (size_t i = 0; i < in.bytes.size(); ++i) {
    const int32_t w = in.writer_step[i];
    if (w < 0) continue;
    const int32_t b = in.step_branch[static_cast<size_t>(w)];
    if (b < 0) continue;
    bool local_only = true;
    int32_t last_local = local[static_cast<size_t>(w)];
    int32_t last_layer = in.branch_layer[static_cast<size_t>(b)];
    for (uint32_t r : in.reader_steps[i]) {
      const int32_t rb = in.step_branch[r];
      if (rb == b) {
        last_local = std::max(last_local, local[r]);
      } else {
        local_only = false;
        if (rb >= 0) last_layer = std::max(last_layer, in.branch_layer[static_cast<size_t>(rb)]);
      }
    }
    const auto ub = static_cast<size_t>(b);
    if (local_only) {
      inside[ub].push_back({in.bytes[i], local[static_cast<size_t>(w)], last_local});
      peak_view[ub].push_back(inside[ub].back());
    } else {
      crossing.push_back({in.bytes[i], in.branch_layer[ub], last_layer});
      // From the branch's own view a crossing output lives to the branch's end.
      peak_view[ub].push_back({in.bytes[i], local[static_cast<size_t>(w)], branch_len[ub]});
    }
  }

  BranchMemory out;
  out.branch_peak.resize(num_branches);
  out.branch_arena.resize(num_branches);
  std::vector<size_t> layer_sum(num_layers, 0);
  for (size_t b = 0; b < num_branches; ++b) {
    out.branch_peak[b] = peak_live_bytes(peak_view[b]);
    out.branch_arena[b] = plan_greedy_by_size(inside[b]).arena_bytes;
    layer_sum[static_cast<size_t>(in.branch_layer[b])] += out.branch_arena[b];
  }
  out.crossing_pool_bytes = plan_greedy_by_size(crossing).arena_bytes;
  size_t widest = 0;
  for (size_t s : layer_sum) widest = std::max(widest, s);
  out.paper_arena_bytes = widest + out.crossing_pool_bytes;
  return out;
}

}  // namespace parallax
