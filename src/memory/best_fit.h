// The placement step shared by the arena planners: given the buffers already
// placed that conflict with a new one (sorted by offset), the lowest offset
// of the smallest gap that holds it, else the end of the last conflict.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace parallax {

struct PlacedBuffer {
  size_t offset, size, index;
};

inline size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

inline size_t best_fit_offset(const std::vector<PlacedBuffer>& conflicts, size_t size) {
  size_t best_offset = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
  for (const PlacedBuffer& p : conflicts) {
    if (p.offset > cursor) {
      const size_t gap = p.offset - cursor;
      if (gap >= size && gap < best_gap) {
        best_gap = gap;
        best_offset = cursor;
      }
    }
    cursor = std::max(cursor, p.offset + p.size);
  }
  return best_offset == SIZE_MAX ? cursor : best_offset;
}

// Inserts keeping `placed` sorted by offset.
inline void insert_by_offset(std::vector<PlacedBuffer>& placed, PlacedBuffer b) {
  auto pos = std::lower_bound(placed.begin(), placed.end(), b.offset,
                              [](const PlacedBuffer& p, size_t off) { return p.offset < off; });
  placed.insert(pos, b);
}

}  // namespace parallax
