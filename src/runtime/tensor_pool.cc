#include "runtime/tensor_pool.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <new>

#include "core/block_alloc.h"

namespace parallax {

TensorPool::~TensorPool() {
  for (auto& [capacity, free_block] : free_) block_free(free_block.block, capacity);
}

Tensor TensorPool::allocate(DataType type, Shape shape) {
  const size_t bytes = static_cast<size_t>(shape_numel(shape)) * element_size(type);
  // Size classes of 64 bytes; a free block up to twice the request is taken
  // (a detector's per-run counts vary a little from run to run).
  const size_t want = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  void* block = nullptr;
  size_t capacity = want;
  size_t dirty = 0;  // bytes of `block` that may hold old data
  FreeBlock grow{nullptr, 0};
  size_t grow_from = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(want);
    if (it != free_.end() && it->first <= 2 * want) {
      capacity = it->first;
      block = it->second.block;
      dirty = want;
      cached_bytes_ -= capacity;
      free_.erase(it);
      ++reused_;
    } else if (want >= kMappedBlockBytes && it != free_.begin() && std::prev(it)->first >= kMappedBlockBytes) {
      // No block fits, but the largest smaller one can grow in place: its
      // pages are reused, and the pool does not keep it beside a new block.
      --it;
      grow_from = it->first;
      grow = it->second;
      cached_bytes_ -= grow_from;
      free_.erase(it);
    }
    live_bytes_ += capacity;
    peak_live_bytes_ = std::max(peak_live_bytes_, live_bytes_);
    // A new block (or a grown one) adds to what the pool holds: drop the
    // free blocks freed longest ago until held memory fits the bound again.
    if (block == nullptr) evict_until(held_bound() - std::min(held_bound(), live_bytes_));
  }
  if (grow.block != nullptr) {
    block = block_resize(grow.block, grow_from, want);
    if (block == nullptr) block_free(grow.block, grow_from);
    dirty = grow_from;  // the grown tail is fresh zero pages
  }
  if (block == nullptr) {
    block = block_alloc(capacity);
    if (block == nullptr) {
      std::lock_guard<std::mutex> lock(mutex_);
      live_bytes_ -= capacity;
      throw std::bad_alloc();
    }
    dirty = capacity >= kMappedBlockBytes ? 0 : want;  // a fresh mapped block reads as zeros
  }
  std::memset(block, 0, std::min(dirty, want));
  std::weak_ptr<TensorPool> pool = weak_from_this();
  std::shared_ptr<const void> owner(block, [pool, capacity](const void* p) {
    void* q = const_cast<void*>(p);
    if (auto alive = pool.lock()) {
      alive->give_back(q, capacity);
    } else {
      block_free(q, capacity);
    }
  });
  return Tensor::adopt(type, std::move(shape), std::move(owner), block);
}

void TensorPool::give_back(void* block, size_t capacity) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    live_bytes_ -= capacity;
    if (capacity <= max_cached_bytes_) {
      // Make room by dropping the blocks freed longest ago: sizes in use
      // drift (a detector's counts, a loop body's shapes), recent ones recur.
      evict_until(max_cached_bytes_ - capacity);
      // This runs in a tensor's deleter, which must not throw: when memory
      // runs out even for the free list's node, the block is freed instead.
      try {
        free_.emplace(capacity, FreeBlock{block, ++stamp_});
        cached_bytes_ += capacity;
        return;
      } catch (const std::bad_alloc&) {
      }
    }
  }
  block_free(block, capacity);
}

size_t TensorPool::held_bound() const {
  return peak_live_bytes_ + peak_live_bytes_ / 4;
}

void TensorPool::evict_until(size_t cached_at_most) {
  while (cached_bytes_ > cached_at_most) {
    auto oldest = std::min_element(free_.begin(), free_.end(),
                                   [](const auto& a, const auto& b) { return a.second.stamp < b.second.stamp; });
    block_free(oldest->second.block, oldest->first);
    cached_bytes_ -= oldest->first;
    free_.erase(oldest);
  }
}

size_t TensorPool::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_bytes_;
}

size_t TensorPool::reused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return reused_;
}

size_t TensorPool::peak_live_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_live_bytes_;
}

}  // namespace parallax
