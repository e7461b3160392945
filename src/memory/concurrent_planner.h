// Offset planning when steps may run concurrently. Two buffers may share
// bytes only if no allowed schedule has them live at the same time; the
// caller says which pairs are safely ordered (`ordered(a, b)`: every step
// touching `a` happens before the step writing `b`, or the reverse). The
// placement is greedy by size with best fit, as in greedy_planner.h, over
// that conflict relation instead of interval overlap.
//
// A cap bounds the growth that concurrency may cost: a buffer that would end
// beyond `cap_bytes` is instead placed as the sequential order allows, and the
// pairs that now share bytes without being ordered are returned in
// `added_orders`: the schedule must run the earlier buffer's readers before
// the later one's writer. Every added pair goes forward in the sequential
// order (first_step / last_step), so the schedule stays acyclic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "memory/greedy_planner.h"

namespace parallax {

struct ConcurrentArenaPlan {
  ArenaPlan arena;
  // (earlier, later) request indices that share bytes only because the
  // schedule will order them; earlier.last_step < later.first_step.
  std::vector<std::pair<uint32_t, uint32_t>> added_orders;
};

// `requests` carry sequential-order lifetimes (used for the fallback and to
// orient added orders); `ordered(a, b)` is symmetric in meaning.
ConcurrentArenaPlan plan_concurrent(std::span<const BufferRequest> requests,
                                    const std::function<bool(size_t, size_t)>& ordered, size_t cap_bytes,
                                    size_t alignment = kArenaAlignment);

}  // namespace parallax
