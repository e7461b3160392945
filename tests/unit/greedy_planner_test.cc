#include "memory/greedy_planner.h"

#include <gtest/gtest.h>

#include <random>

namespace parallax {
namespace {

bool overlaps_in_time(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

TEST(GreedyPlanner, ReusesBytesOfDeadBuffers) {
  std::vector<BufferRequest> req = {{1024, 0, 1}, {1024, 1, 2}, {1024, 2, 3}};
  ArenaPlan plan = plan_greedy_by_size(req);
  // A chain needs two buffers at a time, never three.
  EXPECT_EQ(plan.arena_bytes, 2048u);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(peak_live_bytes(req), 2048u);
}

TEST(GreedyPlanner, RandomLifetimesNeverOverlapAndStayNearTheBound) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> req(1 + rng() % 60);
    for (auto& r : req) {
      r.bytes = 1 + rng() % 100000;
      r.first_step = static_cast<int32_t>(rng() % 50);
      r.last_step = r.first_step + static_cast<int32_t>(rng() % 10);
    }
    ArenaPlan plan = plan_greedy_by_size(req);
    for (size_t i = 0; i < req.size(); ++i) {
      EXPECT_EQ(plan.offsets[i] % kArenaAlignment, 0u);
      EXPECT_LE(plan.offsets[i] + req[i].bytes, plan.arena_bytes);
      for (size_t j = i + 1; j < req.size(); ++j) {
        if (!overlaps_in_time(req[i], req[j])) continue;
        bool disjoint = plan.offsets[i] + req[i].bytes <= plan.offsets[j] ||
                        plan.offsets[j] + req[j].bytes <= plan.offsets[i];
        ASSERT_TRUE(disjoint) << "trial " << trial << " buffers " << i << " and " << j;
      }
    }
    EXPECT_GE(plan.arena_bytes, peak_live_bytes(req));
  }
}

}  // namespace
}  // namespace parallax
