#include "memory/concurrent_planner.h"

#include <algorithm>
#include <numeric>

#include "memory/best_fit.h"

namespace parallax {

ConcurrentArenaPlan plan_concurrent(std::span<const BufferRequest> requests,
                                    const std::function<bool(size_t, size_t)>& ordered, size_t cap_bytes,
                                    size_t alignment) {
  const size_t n = requests.size();
  ConcurrentArenaPlan result;
  result.arena.offsets.assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first_step < requests[b].first_step;
  });

  std::vector<PlacedBuffer> placed;  // sorted by offset
  std::vector<PlacedBuffer> strict, relaxed;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    const size_t size = align_up(std::max<size_t>(r.bytes, 1), alignment);
    strict.clear();
    relaxed.clear();
    for (const PlacedBuffer& p : placed) {
      const bool in_time = lifetimes_overlap(requests[p.index], r);
      if (in_time) relaxed.push_back(p);
      if (in_time || !ordered(p.index, idx)) strict.push_back(p);
    }
    size_t offset = best_fit_offset(strict, size);
    if (offset + size > cap_bytes) {
      // Concurrency would cost more than allowed here: share bytes as the
      // sequential order does and let the schedule order the sharers.
      size_t seq_offset = best_fit_offset(relaxed, size);
      if (seq_offset + size < offset + size) {
        offset = seq_offset;
        for (const PlacedBuffer& p : strict) {
          if (p.offset >= offset + size || offset >= p.offset + p.size) continue;
          if (lifetimes_overlap(requests[p.index], r)) continue;  // cannot happen: relaxed excluded these bytes
          const bool p_first = requests[p.index].last_step < r.first_step;
          result.added_orders.emplace_back(p_first ? p.index : idx, p_first ? idx : p.index);
        }
      }
    }
    result.arena.offsets[idx] = offset;
    result.arena.arena_bytes = std::max(result.arena.arena_bytes, offset + size);
    insert_by_offset(placed, {offset, size, idx});
  }
  return result;
}

}  // namespace parallax
