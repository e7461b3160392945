// TensorPool: freed blocks serve later tensors; tensors may outlive the pool.
#include "runtime/tensor_pool.h"

#include <gtest/gtest.h>

namespace parallax {
namespace {

TEST(TensorPool, FreedBlockServesTheNextTensorZeroFilled) {
  auto pool = std::make_shared<TensorPool>();
  const void* first = nullptr;
  {
    Tensor t = pool->allocate(DataType::kFloat32, {1000, 1000});
    first = t.raw();
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = 1.0f;
  }
  EXPECT_EQ(pool->cached_bytes(), size_t{4000000});
  Tensor u = pool->allocate(DataType::kFloat32, {999, 1000});  // same size class, within 2x
  EXPECT_EQ(u.raw(), first);
  EXPECT_EQ(pool->reused(), 1u);
  EXPECT_EQ(pool->cached_bytes(), 0u);
  for (int64_t i = 0; i < u.numel(); ++i) ASSERT_EQ(u.data<float>()[i], 0.0f) << i;
  // Far smaller requests do not take a big block.
  {
    Tensor v = pool->allocate(DataType::kFloat32, {4});
    EXPECT_NE(v.raw(), first);
  }
}

TEST(TensorPool, TensorOutlivesThePool) {
  Tensor kept;
  {
    auto pool = std::make_shared<TensorPool>();
    kept = pool->allocate(DataType::kInt64, {3});
    kept.data<int64_t>()[2] = 7;
  }
  EXPECT_EQ(kept.data<int64_t>()[2], 7);  // freed to the heap when `kept` goes (ASan checks)
}

TEST(TensorPool, CacheIsBounded) {
  auto pool = std::make_shared<TensorPool>(1000);
  { Tensor t = pool->allocate(DataType::kUInt8, {4096}); }
  EXPECT_EQ(pool->cached_bytes(), 0u);
  { Tensor t = pool->allocate(DataType::kUInt8, {640}); }
  EXPECT_EQ(pool->cached_bytes(), 640u);
}

// Shapes that drift (a loop body's, one new size per iteration) keep at most
// a quarter above the bytes ever live at once, and the newest blocks: the
// one just freed serves the same size next.
TEST(TensorPool, DriftingSizesKeepTheNewestBlocksWithinAQuarterAboveThePeak) {
  auto pool = std::make_shared<TensorPool>();
  for (int64_t n = 1000; n < 1400; n += 10) {
    { Tensor t = pool->allocate(DataType::kUInt8, {n * 64}); }
    EXPECT_LE(pool->cached_bytes(), pool->peak_live_bytes() * 5 / 4) << n;
  }
  const size_t reused = pool->reused();
  { Tensor t = pool->allocate(DataType::kUInt8, {1390 * 64}); }
  EXPECT_EQ(pool->reused(), reused + 1);
}

// A free block that the next request does not fit is dropped when keeping
// it would put the blocks in use and the free ones above 1.25 times the
// peak: a detector's run left 165 MiB of such blocks beside 153 MiB in use.
TEST(TensorPool, FreeBlocksGoWhenTheyWouldPutHeldMemoryAboveTheBound) {
  auto pool = std::make_shared<TensorPool>();
  { Tensor small = pool->allocate(DataType::kUInt8, {100 << 10}); }
  EXPECT_EQ(pool->cached_bytes(), size_t{100} << 10);
  Tensor big = pool->allocate(DataType::kUInt8, {300 << 10});  // 100 KiB cannot serve it
  EXPECT_EQ(pool->peak_live_bytes(), size_t{300} << 10);
  EXPECT_EQ(pool->cached_bytes(), 0u);  // 300 + 100 KiB held would exceed 375
  Tensor medium = pool->allocate(DataType::kUInt8, {60 << 10});
  big = Tensor();
  EXPECT_EQ(pool->cached_bytes(), size_t{300} << 10);  // 360 KiB held, within 1.25 * 360
}

// A big request that no free block fits grows the largest smaller one in
// place: the pool does not keep the small block beside a new one, and the
// grown tensor reads as zeros, old bytes included.
TEST(TensorPool, BigBlockGrowsInPlaceZeroFilled) {
  auto pool = std::make_shared<TensorPool>();
  {
    Tensor t = pool->allocate(DataType::kUInt8, {int64_t{2} << 20});
    for (int64_t i = 0; i < t.numel(); ++i) t.data<uint8_t>()[i] = 0xff;
  }
  EXPECT_EQ(pool->cached_bytes(), size_t{2} << 20);
  Tensor u = pool->allocate(DataType::kUInt8, {int64_t{5} << 20});
  EXPECT_EQ(pool->cached_bytes(), 0u);
  for (int64_t i = 0; i < u.numel(); ++i) ASSERT_EQ(u.data<uint8_t>()[i], 0) << i;
}

}  // namespace
}  // namespace parallax
