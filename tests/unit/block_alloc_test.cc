// block_alloc: small blocks from the heap, big ones mapped; resizing keeps
// the contents across the threshold both ways.
#include "core/block_alloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

namespace parallax {
namespace {

TEST(BlockAlloc, BlocksAreAlignedAndZeroedWhenAsked) {
  for (size_t bytes :
       {size_t{0}, size_t{1}, size_t{100}, kMappedBlockBytes - 1, kMappedBlockBytes, 3 * kMappedBlockBytes + 5}) {
    auto* p = static_cast<unsigned char*>(block_alloc_zeroed(bytes));
    ASSERT_NE(p, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << bytes;
    for (size_t i = 0; i < bytes; ++i) ASSERT_EQ(p[i], 0) << bytes << " at " << i;
    if (bytes > 0) p[bytes - 1] = 1;
    block_free(p, bytes);
  }
  block_free(nullptr, 10);
}

TEST(BlockAlloc, ResizeKeepsContentsAcrossTheThreshold) {
  const size_t sizes[] = {256, 2 * kMappedBlockBytes, 5 * kMappedBlockBytes + 64, kMappedBlockBytes, 128};
  size_t bytes = 64;
  auto* p = static_cast<unsigned char*>(block_alloc(bytes));
  ASSERT_NE(p, nullptr);
  for (size_t i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(i * 7);
  for (size_t next : sizes) {
    const size_t kept = std::min(bytes, next);
    p = static_cast<unsigned char*>(block_resize(p, bytes, next));
    ASSERT_NE(p, nullptr) << next;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << next;
    for (size_t i = 0; i < kept; ++i) ASSERT_EQ(p[i], static_cast<unsigned char>(i * 7)) << next << " at " << i;
    for (size_t i = kept; i < next; ++i) p[i] = static_cast<unsigned char>(i * 7);
    bytes = next;
  }
  block_free(p, bytes);
}

}  // namespace
}  // namespace parallax
