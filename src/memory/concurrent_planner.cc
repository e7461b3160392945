#include "memory/concurrent_planner.h"

#include <algorithm>
#include <numeric>

namespace parallax {

namespace {

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

bool overlap_in_time(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

struct Placed {
  size_t offset, size, index;
};

// Best fit among `conflicts` (sorted by offset): the smallest gap that holds
// `size`, else the end of the last conflicting buffer.
size_t best_fit(const std::vector<Placed>& conflicts, size_t size) {
  size_t best_offset = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
  for (const Placed& p : conflicts) {
    if (p.offset > cursor) {
      size_t gap = p.offset - cursor;
      if (gap >= size && gap < best_gap) {
        best_gap = gap;
        best_offset = cursor;
      }
    }
    cursor = std::max(cursor, p.offset + p.size);
  }
  return best_offset == SIZE_MAX ? cursor : best_offset;
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

  std::vector<Placed> placed;  // sorted by offset
  std::vector<Placed> strict, relaxed;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    const size_t size = align_up(std::max<size_t>(r.bytes, 1), alignment);
    strict.clear();
    relaxed.clear();
    for (const Placed& p : placed) {
      const bool in_time = overlap_in_time(requests[p.index], r);
      if (in_time) relaxed.push_back(p);
      if (in_time || !ordered(p.index, idx)) strict.push_back(p);
    }
    size_t offset = best_fit(strict, size);
    if (offset + size > cap_bytes) {
      // Concurrency would cost more than allowed here: share bytes as the
      // sequential order does and let the schedule order the sharers.
      size_t seq_offset = best_fit(relaxed, size);
      if (seq_offset + size < offset + size) {
        offset = seq_offset;
        for (const Placed& p : strict) {
          if (p.offset >= offset + size || offset >= p.offset + p.size) continue;
          if (overlap_in_time(requests[p.index], r)) continue;  // cannot happen: relaxed excluded these bytes
          const bool p_first = requests[p.index].last_step < r.first_step;
          result.added_orders.emplace_back(p_first ? p.index : idx, p_first ? idx : p.index);
        }
      }
    }
    result.arena.offsets[idx] = offset;
    result.arena.arena_bytes = std::max(result.arena.arena_bytes, offset + size);
    auto pos = std::lower_bound(placed.begin(), placed.end(), offset,
                                [](const Placed& p, size_t off) { return p.offset < off; });
    placed.insert(pos, Placed{offset, size, idx});
  }
  return result;
}

}  // namespace parallax
