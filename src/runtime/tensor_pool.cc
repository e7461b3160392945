#include "runtime/tensor_pool.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace parallax {

TensorPool::~TensorPool() {
  for (auto& [capacity, block] : free_) std::free(block);
}

Tensor TensorPool::allocate(DataType type, Shape shape) {
  const size_t bytes = static_cast<size_t>(shape_numel(shape)) * element_size(type);
  // Size classes of 64 bytes; a free block up to twice the request is taken
  // (a detector's per-run counts vary a little from run to run).
  const size_t want = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  void* block = nullptr;
  size_t capacity = want;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(want);
    if (it != free_.end() && it->first <= 2 * want) {
      capacity = it->first;
      block = it->second;
      cached_bytes_ -= capacity;
      free_.erase(it);
      ++reused_;
    }
  }
  if (block == nullptr) {
    block = std::aligned_alloc(64, capacity);
    if (block == nullptr) throw std::bad_alloc();
  }
  std::memset(block, 0, want);
  std::weak_ptr<TensorPool> pool = weak_from_this();
  std::shared_ptr<const void> owner(block, [pool, capacity](const void* p) {
    void* q = const_cast<void*>(p);
    if (auto alive = pool.lock()) {
      alive->give_back(q, capacity);
    } else {
      std::free(q);
    }
  });
  return Tensor::adopt(type, std::move(shape), std::move(owner), block);
}

void TensorPool::give_back(void* block, size_t capacity) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_bytes_ + capacity <= max_cached_bytes_) {
      free_.emplace(capacity, block);
      cached_bytes_ += capacity;
      return;
    }
  }
  std::free(block);
}

size_t TensorPool::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_bytes_;
}

size_t TensorPool::reused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return reused_;
}

}  // namespace parallax
