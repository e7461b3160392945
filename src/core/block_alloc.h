// Memory blocks for tensors, arenas and scratch: big ones are mapped from the
// OS, small ones come from the heap.
//
//   void* p = block_alloc(bytes);                   // 64-byte aligned, null when out of memory
//   p = block_resize(p, bytes, 2 * bytes);          // contents kept; may move; null: p still valid
//   block_free(p, 2 * bytes);                       // the size it was made with
//
// Why: glibc serves a large malloc with mmap only until the first such block
// is freed; then it raises its mmap threshold (up to 32 MiB) and serves
// later large blocks from its arenas, where blocks of ever-different sizes
// (Mask R-CNN's per-detection tensors, an arena that grows) leave holes the
// heap cannot give back: the process keeps its peak, and more. Blocks of at
// least kMappedBlockBytes here are mapped and unmapped themselves, so
// freeing one returns its pages at once, and a block grows in place where
// the address space allows (mremap) instead of being copied. A fresh mapped
// block reads as zeros without being touched (block_alloc_zeroed uses that).
#pragma once

#include <cstddef>

namespace parallax {

// Blocks this big or bigger are mapped; smaller ones come from the heap,
// where glibc's own threshold (128 KiB to 32 MiB) already maps some.
inline constexpr size_t kMappedBlockBytes = size_t{1} << 20;

// `bytes` (0 allowed), 64-byte aligned; null when the memory is not there.
[[nodiscard]] void* block_alloc(size_t bytes);
// Same, filled with zeros (mapped blocks are zero without being written).
[[nodiscard]] void* block_alloc_zeroed(size_t bytes);
// Grows or shrinks a block made by block_alloc with `old_bytes`, keeping its
// first min(old, new) bytes. Returns the block's new address, or null (then
// `block` is unchanged and still owned by the caller).
[[nodiscard]] void* block_resize(void* block, size_t old_bytes, size_t new_bytes);
// Frees a block made with `bytes` (null is ignored).
void block_free(void* block, size_t bytes);

}  // namespace parallax
