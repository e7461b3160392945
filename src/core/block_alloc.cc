#include "core/block_alloc.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace parallax {
namespace {

bool mapped(size_t bytes) {
  return bytes >= kMappedBlockBytes;
}

size_t page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

size_t page_rounded(size_t bytes) {
  return (bytes + page_size() - 1) / page_size() * page_size();
}

// The heap needs a size that is a multiple of the alignment, and never 0:
// a zero-sized tensor still gets a unique pointer.
size_t heap_rounded(size_t bytes) {
  return std::max<size_t>((bytes + 63) / 64 * 64, 64);
}

}  // namespace

void* block_alloc(size_t bytes) {
  if (!mapped(bytes)) return std::aligned_alloc(64, heap_rounded(bytes));
  void* p = mmap(nullptr, page_rounded(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void* block_alloc_zeroed(size_t bytes) {
  void* p = block_alloc(bytes);
  if (p != nullptr && !mapped(bytes)) std::memset(p, 0, heap_rounded(bytes));
  return p;
}

void* block_resize(void* block, size_t old_bytes, size_t new_bytes) {
  if (mapped(old_bytes) && mapped(new_bytes)) {
    void* p = mremap(block, page_rounded(old_bytes), page_rounded(new_bytes), MREMAP_MAYMOVE);
    return p == MAP_FAILED ? nullptr : p;
  }
  void* p = block_alloc(new_bytes);
  if (p == nullptr) return nullptr;
  std::memcpy(p, block, std::min(old_bytes, new_bytes));
  block_free(block, old_bytes);
  return p;
}

void block_free(void* block, size_t bytes) {
  if (block == nullptr) return;
  if (mapped(bytes))
    munmap(block, page_rounded(bytes));
  else
    std::free(block);
}

}  // namespace parallax
