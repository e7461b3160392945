// Recycles the memory of tensors whose shapes are known only at run time
// (outputs of NonZero, NonMaxSuppression, TopK with a run-time k, and every
// value downstream of them), and of the graph outputs.
//
//   auto pool = std::make_shared<TensorPool>();
//   Tensor t = pool->allocate(DataType::kFloat32, {n, 4});   // zero-filled, 64-byte aligned
//   // dropping the last copy of `t` hands its block back to the pool
//
// Why: these tensors cannot live in the planned arena, and allocating them
// fresh every run means fresh pages from the OS every run (glibc serves
// large blocks with mmap and returns them with munmap): on torchvision's
// Faster R-CNN the page faults of zero-filling them took two thirds of
// each run (169 ms sequential against 52 ms of kernel time). A block freed
// in one run serves a tensor of the same size class in the next, so a
// steady state touches only warm pages.
//
// Blocks come from core/block_alloc.h: big ones are mapped, so a block the
// pool lets go returns its pages to the OS, and when no free block fits a
// big request the largest smaller one grows in place (its warm pages serve
// again instead of being kept beside a new block).
//
// A tensor may outlive the pool (a graph output the caller keeps): its block
// is then freed when the tensor goes. What the pool holds, blocks in use and
// free ones together, stays within 1.25 times the most bytes its tensors
// ever held at once (a steady state needs once that; sizes drift), and the
// free blocks within `max_cached_bytes`: the blocks freed longest ago are
// freed to make room. Bounding the free blocks alone (at twice that peak)
// let Mask R-CNN keep 165 MiB of them beside its 153 MiB peak of live ones,
// in sizes no later tensor of the run fitted.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "parallax/tensor.h"

namespace parallax {

class TensorPool : public std::enable_shared_from_this<TensorPool> {
 public:
  explicit TensorPool(size_t max_cached_bytes = size_t{256} << 20) : max_cached_bytes_(max_cached_bytes) {}
  ~TensorPool();
  TensorPool(const TensorPool&) = delete;
  TensorPool& operator=(const TensorPool&) = delete;

  // Like Tensor::allocate: zero-filled, 64-byte aligned. Must be called on a
  // pool owned by a shared_ptr.
  Tensor allocate(DataType type, Shape shape);

  size_t cached_bytes() const;
  size_t reused() const;           // allocations served from a freed block, so far
  size_t peak_live_bytes() const;  // most bytes handed out at once, so far

 private:
  void give_back(void* block, size_t capacity);
  size_t held_bound() const;                // under mutex_
  void evict_until(size_t cached_at_most);  // under mutex_

  const size_t max_cached_bytes_;
  mutable std::mutex mutex_;
  struct FreeBlock {
    void* block;
    uint64_t stamp;  // when it was freed: the oldest goes first
  };
  std::multimap<size_t, FreeBlock> free_;  // capacity -> block
  uint64_t stamp_ = 0;
  size_t cached_bytes_ = 0;
  size_t live_bytes_ = 0;  // capacity of blocks handed out and not yet back
  size_t peak_live_bytes_ = 0;
  size_t reused_ = 0;
};

}  // namespace parallax
