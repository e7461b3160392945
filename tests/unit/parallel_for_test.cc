// parallel_for (kernels/kernel_util.h): every index is visited once, and an
// exception thrown on a worker reaches the caller instead of leaving the
// OpenMP region (which would end the process: std::terminate).
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "kernels/kernel_util.h"

namespace parallax {
namespace {

TEST(ParallelFor, VisitsEveryIndexOnce) {
  std::vector<std::atomic<int>> seen(1000);
  parallel_for(2, 1000, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) seen[static_cast<size_t>(i)].fetch_add(1);
  });
  for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
}

TEST(ParallelFor, ExceptionOnAWorkerReachesTheCaller) {
  // Two chunks, [0, 500) and [500, 1000): the second throws on its thread.
  EXPECT_THROW(parallel_for(2, 1000, 1,
                            [](int64_t b, int64_t) {
                              if (b > 0) throw std::runtime_error("chunk");
                            }),
               std::runtime_error);
  EXPECT_THROW(parallel_for(2, 1000, 1, [](int64_t, int64_t) { throw std::bad_alloc(); }), std::bad_alloc);
}

}  // namespace
}  // namespace parallax
