#include "memory/greedy_planner.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "memory/best_fit.h"

namespace parallax {

namespace {

ArenaPlan place_in_order(std::span<const BufferRequest> requests, std::span<const size_t> order, size_t alignment) {
  const size_t n = requests.size();
  ArenaPlan plan;
  plan.offsets.assign(n, 0);

  std::vector<PlacedBuffer> placed;  // kept sorted by offset
  std::vector<PlacedBuffer> conflicts;
  for (size_t idx : order) {
    const size_t size = align_up(std::max<size_t>(requests[idx].bytes, 1), alignment);
    conflicts.clear();
    for (const PlacedBuffer& p : placed)
      if (lifetimes_overlap(requests[p.index], requests[idx])) conflicts.push_back(p);
    const size_t offset = best_fit_offset(conflicts, size);
    plan.offsets[idx] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    insert_by_offset(placed, {offset, size, idx});
  }
  return plan;
}

// Pisarchyk & Lee's "greedy by breadth": the steps with the most bytes live
// first, and at each the buffers live there, largest first. It wins where
// long-lived buffers (an owner kept alive by a view's late reader) would
// otherwise be placed after short big ones and land above them.
std::vector<size_t> breadth_order(std::span<const BufferRequest> requests) {
  int32_t steps = 0;
  for (const BufferRequest& r : requests) steps = std::max(steps, r.last_step + 1);
  std::vector<std::vector<size_t>> live(static_cast<size_t>(steps));
  std::vector<size_t> breadth(static_cast<size_t>(steps), 0);
  for (size_t i = 0; i < requests.size(); ++i)
    for (int32_t s = std::max(requests[i].first_step, 0); s <= requests[i].last_step; ++s) {
      live[static_cast<size_t>(s)].push_back(i);
      breadth[static_cast<size_t>(s)] += requests[i].bytes;
    }
  std::vector<size_t> step_order(static_cast<size_t>(steps));
  std::iota(step_order.begin(), step_order.end(), 0);
  std::stable_sort(step_order.begin(), step_order.end(), [&](size_t a, size_t b) { return breadth[a] > breadth[b]; });
  std::vector<size_t> order;
  std::vector<bool> taken(requests.size(), false);
  for (size_t s : step_order) {
    std::vector<size_t>& here = live[s];
    std::stable_sort(here.begin(), here.end(),
                     [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
    for (size_t i : here)
      if (!taken[i]) {
        taken[i] = true;
        order.push_back(i);
      }
  }
  for (size_t i = 0; i < requests.size(); ++i)  // a lifetime no step covers (last < first)
    if (!taken[i]) order.push_back(i);
  return order;
}

}  // namespace

ArenaPlan plan_greedy_by_size(std::span<const BufferRequest> requests, size_t alignment) {
  const size_t n = requests.size();
  // No single greedy order is best on every graph (Pisarchyk & Lee): place
  // largest-first, largest-area (bytes x lifetime) first and by breadth, and
  // keep the smallest arena. Ties break by earlier start so plans are deterministic.
  std::vector<size_t> by_size(n), by_area(n);
  std::iota(by_size.begin(), by_size.end(), 0);
  std::iota(by_area.begin(), by_area.end(), 0);
  std::stable_sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first_step < requests[b].first_step;
  });
  auto area = [&](size_t i) {
    return static_cast<double>(requests[i].bytes) *
           static_cast<double>(requests[i].last_step - requests[i].first_step + 1);
  };
  std::stable_sort(by_area.begin(), by_area.end(), [&](size_t a, size_t b) {
    if (area(a) != area(b)) return area(a) > area(b);
    return requests[a].first_step < requests[b].first_step;
  });
  ArenaPlan best = place_in_order(requests, by_size, alignment);
  for (const std::vector<size_t>& order : {by_area, breadth_order(requests)}) {
    ArenaPlan other = place_in_order(requests, order, alignment);
    if (other.arena_bytes < best.arena_bytes) best = std::move(other);
  }
  return best;
}

size_t peak_live_bytes(std::span<const BufferRequest> requests, size_t alignment) {
  std::map<int32_t, int64_t> delta;
  for (const BufferRequest& r : requests) {
    int64_t size = static_cast<int64_t>(align_up(std::max<size_t>(r.bytes, 1), alignment));
    delta[r.first_step] += size;
    delta[r.last_step + 1] -= size;
  }
  int64_t live = 0, peak = 0;
  for (const auto& [step, d] : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  return static_cast<size_t>(peak);
}

}  // namespace parallax
