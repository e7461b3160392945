// Random DAGs: every running node is in exactly one branch, every edge goes
// forward (later layer, or later in the same branch), so no two branches of
// one layer depend on each other even transitively, and contracting device
// regions never makes a cycle.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "partition/branches.h"
#include "partition_graph.h"

namespace parallax {
namespace {

// "v12": appended, because GCC 12 warns (-Wrestrict) on "literal" + std::string.
std::string vname(const char* prefix, int i) {
  std::string s = prefix;
  return s.append(std::to_string(i));
}

testing::TestGraph random_dag(std::mt19937& rng, int n, int max_fan_in) {
  testing::TestGraph t;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> ins;
    int fan_in = i == 0 ? 0 : static_cast<int>(rng() % (max_fan_in + 1));
    for (int k = 0; k < fan_in; ++k) {
      // Mostly local edges, some long ones: chains, splits and merges.
      int back = rng() % 4 == 0 ? static_cast<int>(rng() % i) + 1 : static_cast<int>(rng() % std::min(i, 3)) + 1;
      ins.push_back(vname("v", i - back));
    }
    if (ins.empty()) ins.push_back("x");
    static const char* kOps[] = {"Conv", "Relu", "Add", "Sigmoid", "If"};
    t.op(vname("n", i), kOps[rng() % 5], ins, {vname("v", i)}, 1 + rng() % 100);
  }
  return t;
}

TEST(PartitionProperty, RandomDagsGiveValidPlans) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 2000; ++trial) {
    testing::TestGraph t = random_dag(rng, 1 + static_cast<int>(rng() % 60), 3);
    PartitionOptions o;
    if (trial % 2) {
      o.accelerator.supported = [](const Node& n) { return n.op_type == "Conv" || n.op_type == "Relu"; };
      o.accelerator.rule = OffloadRule::kAlways;
    }
    auto p = partition(t.g, t.work(), o);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    std::vector<int> seen(t.g.nodes.size(), 0), pos(t.g.nodes.size(), 0);
    for (const Branch& b : p->branches)
      for (size_t k = 0; k < b.nodes.size(); ++k) {
        ++seen[b.nodes[k].index()];
        pos[b.nodes[k].index()] = static_cast<int>(k);
        ASSERT_EQ(p->nodes[b.nodes[k].index()].branch, b.id);
      }
    for (int s : seen) ASSERT_EQ(s, 1);
    for (size_t c = 0; c < t.g.nodes.size(); ++c)
      for (ValueId v : t.g.nodes[c].inputs) {
        NodeId prod = t.g.value(v).producer;
        if (!prod.valid()) continue;
        BranchId bp = p->nodes[prod.index()].branch, bc = p->nodes[c].branch;
        if (bp == bc) {
          ASSERT_LT(pos[prod.index()], pos[c]);
        } else {
          ASSERT_LT(p->branches[bp.index()].layer, p->branches[bc.index()].layer);
        }
      }
    for (const Region& r : p->regions) {
      if (!r.offload) continue;
      for (NodeId n : r.nodes) {
        ASSERT_EQ(p->nodes[n.index()].branch, p->nodes[r.nodes[0].index()].branch);
      }
    }
  }
}

// Timing lives in bench/partition_bench.cc; this only checks a big graph partitions.
TEST(PartitionProperty, HundredThousandNodesPartition) {
  std::mt19937 rng(5);
  testing::TestGraph t = random_dag(rng, 100000, 2);
  std::vector<NodeWork> w = t.work();
  auto p = partition(t.g, w, {});
  ASSERT_TRUE(p.is_ok());
  size_t nodes = 0;
  for (const auto& b : p->branches) nodes += b.nodes.size();
  EXPECT_EQ(nodes, t.g.nodes.size());
}

}  // namespace
}  // namespace parallax
