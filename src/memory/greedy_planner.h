// Offset planning for one arena: lifetimes are step intervals, placement is
// greedy by size with best fit (the approach of TFLite's ArenaPlanner and
// XNNPACK's memory planner; Pisarchyk & Lee, "Efficient Memory Management for
// Deep Neural Net Inference", 2020).
//
//   std::vector<BufferRequest> req = {{1024, 0, 2}, {512, 1, 3}, {1024, 3, 4}};
//   ArenaPlan plan = plan_greedy_by_size(req);
//   // req[2] reuses req[0]'s bytes: their lifetimes [0,2] and [3,4] are disjoint.
//
// A plan is plain data (offsets, no pointers); binding offsets to an
// allocation is the executor's job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace parallax {

struct BufferRequest {
  size_t bytes = 0;
  int32_t first_step = 0;  // step that writes the buffer
  int32_t last_step = 0;   // last step that reads it (inclusive)
};

// Both live at some common step.
inline bool lifetimes_overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

struct ArenaPlan {
  std::vector<size_t> offsets;  // one per request, aligned
  size_t arena_bytes = 0;
};

inline constexpr size_t kArenaAlignment = 64;

ArenaPlan plan_greedy_by_size(std::span<const BufferRequest> requests, size_t alignment = kArenaAlignment);

// Largest total of bytes live at any one step: no plan can be smaller.
size_t peak_live_bytes(std::span<const BufferRequest> requests, size_t alignment = kArenaAlignment);

}  // namespace parallax
