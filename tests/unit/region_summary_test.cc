// Table 7's heterogeneous columns (partition/region_summary.h) on a graph
// small enough to count by hand, with a fake capability (no device needed).
#include <gtest/gtest.h>

#include <cmath>

#include "partition/region_summary.h"
#include "partition_graph.h"

namespace parallax {
namespace {

using testing::TestGraph;

// x -> S:Relu -+-> B:Conv -> C:Conv -> D:Conv -+-> M:Add -> y
//              +-> E:Relu -> F:Relu -> G:Relu -+
// Conv is "supported": one candidate region {B, C, D}, a branch of its own
// in the layer where E..G run on the CPU.
TestGraph diamond() {
  TestGraph t;
  t.op("S", "Relu", {"x"}, {"s"});
  t.op("B", "Conv", {"s"}, {"b"});
  t.op("C", "Conv", {"b"}, {"c"});
  t.op("D", "Conv", {"c"}, {"d"});
  t.op("E", "Relu", {"s"}, {"e"});
  t.op("F", "Relu", {"e"}, {"f"});
  t.op("G", "Relu", {"f"}, {"g"});
  t.op("M", "Add", {"d", "g"}, {"y"});
  t.output("y");
  t.g.inputs.push_back(t.val("x"));
  t.g.value(t.val("x")).is_graph_input = true;
  return t;
}

PartitionOptions conv_accelerator(OffloadRule rule) {
  PartitionOptions o;
  o.accelerator.supported = [](const Node& n) { return n.op_type == "Conv"; };
  o.accelerator.rule = rule;
  return o;
}

TEST(RegionSummary, OffloadedRegionBesideCpuBranch) {
  TestGraph t = diamond();
  auto p = partition(t.g, t.work(), conv_accelerator(OffloadRule::kAlways));
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  const RegionSummary s = summarize_regions(*p);
  EXPECT_EQ(s.pre_regions, 1u);
  EXPECT_EQ(s.pre_nodes, 3u);
  EXPECT_EQ(s.post_regions, 1u);
  EXPECT_EQ(s.post_nodes, 3u);
  EXPECT_EQ(s.hetero_layers, 1u);
  EXPECT_EQ(s.cpu_nodes, 5u);  // S, E, F, G, M
  const nlohmann::json j = region_summary_json(s);
  EXPECT_EQ(j["pre_regions"], 1);
  EXPECT_EQ(j["hetero_layers"], 1);
  EXPECT_EQ(j["cpu_nodes"], 5);
  EXPECT_NE(region_summary_text(s).find("Pre 1 region / 3 nodes   Post 1 region / 3 nodes"), std::string::npos);
}

TEST(RegionSummary, PrunedRegionCountsOnlyAsCandidate) {
  // One MAC per node: the cost model never pays L for it.
  TestGraph t = diamond();
  auto p = partition(t.g, t.work(), conv_accelerator(OffloadRule::kCostModel));
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  const RegionSummary s = summarize_regions(*p);
  EXPECT_EQ(s.pre_regions, 1u);
  EXPECT_EQ(s.pre_nodes, 3u);
  EXPECT_EQ(s.post_regions, 0u);
  EXPECT_EQ(s.post_nodes, 0u);
  EXPECT_EQ(s.hetero_layers, 0u);
  EXPECT_EQ(s.cpu_nodes, 8u);
}

TEST(RegionSummary, NoAcceleratorNoRegions) {
  TestGraph t = diamond();
  auto p = partition(t.g, t.work(), {});
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  const RegionSummary s = summarize_regions(*p);
  EXPECT_EQ(s.pre_regions, 0u);
  EXPECT_EQ(s.post_regions, 0u);
  EXPECT_EQ(s.hetero_layers, 0u);
  EXPECT_EQ(s.cpu_nodes, 8u);
}

TEST(DeviceProfile, BreakEvenMacs) {
  DeviceProfile p;
  p.latency_s = 1e-3;
  p.accel_macs_per_s = 2e9;
  p.cpu_macs_per_s = 1e9;
  p.bandwidth_bytes_per_s = 1e9;
  // F/1e9 - F/2e9 = 1e-3  =>  F = 2e6; 1 MB more crosses in 1 ms: another 2e6.
  EXPECT_NEAR(break_even_macs(p), 2e6, 1);
  EXPECT_NEAR(break_even_macs(p, 1e6), 4e6, 1);
  EXPECT_EQ(decide_offload({.ops = 3, .macs = 2.1e6, .boundary_bytes = 0}, p, OffloadRule::kCostModel).offload, true);
  EXPECT_EQ(decide_offload({.ops = 3, .macs = 1.9e6, .boundary_bytes = 0}, p, OffloadRule::kCostModel).offload, false);
  p.accel_macs_per_s = 1e9;
  EXPECT_TRUE(std::isinf(break_even_macs(p)));
}

TEST(DeviceProfile, JsonRoundTrip) {
  DeviceProfile p{.name = "dev \"x\"", .latency_s = 2.5e-5, .accel_macs_per_s = 3e9, .bandwidth_bytes_per_s = 4e9,
                  .cpu_macs_per_s = 5e10};
  auto back = parse_device_profile(device_profile_json(p), "round trip");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->name, p.name);
  EXPECT_DOUBLE_EQ(back->latency_s, p.latency_s);
  EXPECT_DOUBLE_EQ(back->accel_macs_per_s, p.accel_macs_per_s);
  EXPECT_DOUBLE_EQ(back->bandwidth_bytes_per_s, p.bandwidth_bytes_per_s);
  EXPECT_DOUBLE_EQ(back->cpu_macs_per_s, p.cpu_macs_per_s);
}

}  // namespace
}  // namespace parallax
