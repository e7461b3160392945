#include "memory/concurrent_planner.h"

#include <algorithm>
#include <numeric>

#include "memory/best_fit.h"

namespace parallax {

namespace {

ConcurrentArenaPlan order_sequential_plan(std::span<const BufferRequest> requests,
                                          const std::function<bool(size_t, size_t)>& ordered, size_t alignment) {
  ConcurrentArenaPlan result;
  result.arena = plan_greedy_by_size(requests, alignment);
  const size_t n = requests.size();
  std::vector<size_t> by_offset(n);
  std::iota(by_offset.begin(), by_offset.end(), 0);
  std::sort(by_offset.begin(), by_offset.end(),
            [&](size_t a, size_t b) { return result.arena.offsets[a] < result.arena.offsets[b]; });
  auto end_of = [&](size_t i) { return result.arena.offsets[i] + align_up(std::max<size_t>(requests[i].bytes, 1), alignment); };
  // Sweep by offset: each buffer against those that start before it ends.
  for (size_t x = 0; x < n; ++x) {
    const size_t a = by_offset[x];
    for (size_t y = x + 1; y < n && result.arena.offsets[by_offset[y]] < end_of(a); ++y) {
      const size_t b = by_offset[y];
      if (lifetimes_overlap(requests[a], requests[b]) || ordered(a, b)) continue;
      const bool a_first = requests[a].last_step < requests[b].first_step;
      result.added_orders.emplace_back(a_first ? a : b, a_first ? b : a);
    }
  }
  return result;
}

}  // namespace

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
  if (result.arena.arena_bytes > cap_bytes) {
    // The mixed placement above can still end past the cap (buffers placed
    // early for concurrency crowd the sequential packing of later ones). The
    // sequential plan itself, with every byte-sharing pair it leaves
    // unordered ordered by the schedule, always meets a cap at or above it.
    ConcurrentArenaPlan sequential = order_sequential_plan(requests, ordered, alignment);
    if (sequential.arena.arena_bytes < result.arena.arena_bytes) return sequential;
  }
  return result;
}

}  // namespace parallax
