// Property tests of the concurrency-aware arena planner on random DAGs: after
// planning (and adding the orders the planner asks for), any two values that
// share a byte are ordered by the final DAG, so no schedule the DAG allows can
// have both live; and the plan never exceeds a cap at or above the
// sequential plan's arena.
#include <gtest/gtest.h>

#include <random>

#include "memory/concurrent_planner.h"
#include "memory/greedy_planner.h"
#include "plan/step_dag.h"

namespace parallax {
namespace {

struct RandomCase {
  StepDag dag;
  std::vector<int32_t> writer;
  std::vector<std::vector<uint32_t>> readers;
  std::vector<BufferRequest> requests;
};

// Steps 0..n-1; each step writes one value read by 1-3 later steps. Edges
// follow reads, so positions stay topological.
RandomCase make_case(std::mt19937& rng, uint32_t n) {
  RandomCase c;
  c.dag.succs.resize(n);
  c.dag.num_preds.assign(n, 0);
  std::uniform_int_distribution<int> size_dist(1, 64);
  for (uint32_t s = 0; s + 1 < n; ++s) {
    c.writer.push_back(static_cast<int32_t>(s));
    std::vector<uint32_t> r;
    const int fanout = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < fanout; ++k) {
      // Mostly near consumers (chains and short branches), sometimes far (skips).
      uint32_t span = (rng() % 4 == 0) ? n - s - 1 : std::min<uint32_t>(4, n - s - 1);
      uint32_t t = s + 1 + static_cast<uint32_t>(rng() % span);
      if (std::find(r.begin(), r.end(), t) == r.end()) r.push_back(t);
    }
    std::sort(r.begin(), r.end());
    for (uint32_t t : r) c.dag.add_edge(s, t);
    c.requests.push_back({static_cast<size_t>(size_dist(rng)) * 64, static_cast<int32_t>(s),
                          static_cast<int32_t>(r.back())});
    c.readers.push_back(std::move(r));
  }
  return c;
}

bool before(const Reachability& reach, const RandomCase& c, size_t a, size_t b) {
  const auto wb = static_cast<uint32_t>(c.writer[b]);
  if (!reach.reaches(static_cast<uint32_t>(c.writer[a]), wb)) return false;
  for (uint32_t r : c.readers[a])
    if (!reach.reaches(r, wb)) return false;
  return true;
}

TEST(ConcurrentPlanner, SharedBytesAreAlwaysOrderedOnRandomDags) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    RandomCase c = make_case(rng, 4 + static_cast<uint32_t>(rng() % 60));
    const size_t sequential = plan_greedy_by_size(c.requests).arena_bytes;
    Reachability reach(c.dag);
    auto ordered = [&](size_t a, size_t b) { return before(reach, c, a, b) || before(reach, c, b, a); };
    // Caps from "no growth allowed" to "unbounded" exercise both placements.
    const double growth[] = {1.0, 1.1, 1.5, 1e9};
    const double g = growth[trial % 4];
    const size_t cap = g > 1e8 ? SIZE_MAX : static_cast<size_t>(g * static_cast<double>(sequential));
    ConcurrentArenaPlan plan = plan_concurrent(c.requests, ordered, cap);
    // A cap at or above the sequential plan is always met.
    EXPECT_LE(plan.arena.arena_bytes, cap) << "trial " << trial << ", growth " << g;

    for (auto [a, b] : plan.added_orders) {
      ASSERT_LT(c.requests[a].last_step, c.requests[b].first_step) << "an added order must go forward";
      const auto wb = static_cast<uint32_t>(c.writer[b]);
      auto add = [&](uint32_t x) {
        if (x != wb) c.dag.add_edge(x, wb);
      };
      add(static_cast<uint32_t>(c.writer[a]));
      for (uint32_t r : c.readers[a]) add(r);
    }
    Reachability final_reach(c.dag);
    for (size_t a = 0; a < c.requests.size(); ++a)
      for (size_t b = a + 1; b < c.requests.size(); ++b) {
        const size_t oa = plan.arena.offsets[a], ob = plan.arena.offsets[b];
        const bool share = oa < ob + c.requests[b].bytes && ob < oa + c.requests[a].bytes;
        if (!share) continue;
        EXPECT_TRUE(before(final_reach, c, a, b) || before(final_reach, c, b, a))
            << "trial " << trial << ": values " << a << " and " << b << " share bytes and may be live together";
      }
    if (g > 1e8) {
      EXPECT_TRUE(plan.added_orders.empty());
    }
  }
}

TEST(ConcurrentPlanner, IndependentBranchesGetDisjointBytesWithoutCap) {
  // Two branches after a common input: s0 -> s1 -> s2 and s0 -> s3 -> s4, merged by s5.
  StepDag dag;
  dag.succs.resize(6);
  dag.num_preds.assign(6, 0);
  for (auto [a, b] : {std::pair{0u, 1u}, {1u, 2u}, {0u, 3u}, {3u, 4u}, {2u, 5u}, {4u, 5u}}) dag.add_edge(a, b);
  // Values of s1 (read by s2) and s3 (read by s4): sequentially disjoint, concurrently not.
  std::vector<BufferRequest> req = {{1024, 1, 2}, {1024, 3, 4}};
  Reachability reach(dag);
  auto never = [](size_t, size_t) { return false; };
  ConcurrentArenaPlan free_plan = plan_concurrent(req, never, SIZE_MAX);
  EXPECT_NE(free_plan.arena.offsets[0], free_plan.arena.offsets[1]);
  EXPECT_EQ(free_plan.arena.arena_bytes, 2048u);
  // Capped at the sequential plan: they share, and the planner asks for the order.
  ConcurrentArenaPlan capped = plan_concurrent(req, never, 1024);
  EXPECT_EQ(capped.arena.arena_bytes, 1024u);
  ASSERT_EQ(capped.added_orders.size(), 1u);
  EXPECT_EQ(capped.added_orders[0], (std::pair<uint32_t, uint32_t>{0, 1}));
}

TEST(StepDag, ReachabilityAndRemainingPath) {
  StepDag dag;
  dag.succs.resize(4);
  dag.num_preds.assign(4, 0);
  dag.add_edge(0, 1);
  dag.add_edge(0, 2);
  dag.add_edge(2, 3);
  dag.add_edge(0, 2);  // duplicate: ignored
  EXPECT_EQ(dag.num_preds[2], 1u);
  Reachability r(dag);
  EXPECT_TRUE(r.reaches(0, 3));
  EXPECT_FALSE(r.reaches(1, 3));
  EXPECT_FALSE(r.reaches(3, 0));
  std::vector<double> cost = {1, 5, 2, 2};
  auto path = remaining_path(dag, cost);
  EXPECT_DOUBLE_EQ(path[0], 6);  // 0 -> 1 (5) beats 0 -> 2 -> 3 (4)
  EXPECT_DOUBLE_EQ(path[2], 4);
}

}  // namespace
}  // namespace parallax
