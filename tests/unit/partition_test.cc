#include <gtest/gtest.h>

#include "partition/branches.h"
#include "partition_graph.h"

namespace parallax {
namespace {

using testing::TestGraph;
using Names = std::vector<std::vector<std::string>>;
using Layers = std::vector<std::vector<uint32_t>>;

Partition must_partition(const TestGraph& t, const PartitionOptions& o = {}) {
  auto p = partition(t.g, t.work(), o);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  return p.is_ok() ? p.value() : Partition{};
}

TEST(Partition, ChainIsOneBranch) {
  TestGraph t;
  t.op("A", "Conv", {"x"}, {"a"});
  t.op("B", "Relu", {"a"}, {"b"});
  t.op("C", "Sigmoid", {"b"}, {"y"});
  t.output("y");
  Partition p = must_partition(t);
  EXPECT_EQ(t.branches(p), (Names{{"A", "B", "C"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}}));
  EXPECT_EQ(t.cls(p, "B"), NodeClass::kSequential);
  EXPECT_EQ(p.layers[0].reason, "single branch");
  EXPECT_DOUBLE_EQ(p.total_macs, 3);
  EXPECT_DOUBLE_EQ(p.critical_path_macs, 3);
  EXPECT_EQ(p.branches[0].inputs, std::vector<ValueId>{t.val("x")});
  EXPECT_EQ(p.branches[0].outputs, std::vector<ValueId>{t.val("y")});
}

TEST(Partition, DiamondFromTheHeader) {
  TestGraph t;
  t.op("S", "Conv", {"x"}, {"s"});
  t.op("A", "Conv", {"s"}, {"a"});
  t.op("B", "Relu", {"a"}, {"b"}, 10);
  t.op("C", "Sigmoid", {"a"}, {"c"}, 20);
  t.op("M", "Add", {"b", "c"}, {"y"});
  t.output("y");
  PartitionOptions o;
  o.threads = 2;
  Partition p = must_partition(t, o);
  EXPECT_EQ(t.branches(p), (Names{{"S", "A"}, {"B"}, {"C"}, {"M"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}, {1, 2}, {3}}));
  EXPECT_EQ(t.cls(p, "A"), NodeClass::kSplitter);
  EXPECT_EQ(t.cls(p, "M"), NodeClass::kMerger);
  EXPECT_FALSE(p.layers[1].parallel);
  EXPECT_EQ(p.layers[1].reason, "branch b1 has 1 op (parallel needs >= 3)");
  EXPECT_EQ(p.branches[3].preds, (std::vector<BranchId>{BranchId(1u), BranchId(2u)}));
  EXPECT_EQ(p.branches[1].inputs, std::vector<ValueId>{t.val("a")});
  EXPECT_EQ(p.branches[1].outputs, std::vector<ValueId>{t.val("b")});
  EXPECT_DOUBLE_EQ(p.total_macs, 33);
  EXPECT_DOUBLE_EQ(p.critical_path_macs, 23);
  EXPECT_DOUBLE_EQ(p.bound_macs, 23);
  EXPECT_EQ(p.parallel_layers(), 0u);
  EXPECT_EQ(p.max_branches_per_layer(), 2u);
}

// Stem, four 3-op branches, Concat: the Inception block.
TestGraph inception(const std::vector<double>& branch_macs) {
  TestGraph t;
  t.op("stem", "MaxPool", {"x"}, {"s"});
  for (int b = 0; b < 4; ++b) {
    std::string prev = "s";
    for (int k = 0; k < 3; ++k) {
      std::string name = "b";  // built by appending: GCC 12 warns on "literal" + string
      name.append(std::to_string(b)).append("_").append(std::to_string(k));
      t.op(name, "Conv", {prev}, {name + "_out"}, branch_macs[b] / 3);
      prev = name + "_out";
    }
  }
  t.op("concat", "Concat", {"b0_2_out", "b1_2_out", "b2_2_out", "b3_2_out"}, {"y"});
  t.output("y");
  return t;
}

TEST(Partition, InceptionBlockRunsInParallelWhenBalanced) {
  TestGraph t = inception({300, 330, 360, 420});
  PartitionOptions o;
  o.threads = 4;
  Partition p = must_partition(t, o);
  EXPECT_EQ(t.branches(p), (Names{{"stem"},
                                  {"b0_0", "b0_1", "b0_2"},
                                  {"b1_0", "b1_1", "b1_2"},
                                  {"b2_0", "b2_1", "b2_2"},
                                  {"b3_0", "b3_1", "b3_2"},
                                  {"concat"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}, {1, 2, 3, 4}, {5}}));
  EXPECT_TRUE(p.layers[1].parallel) << p.layers[1].reason;
  EXPECT_EQ(p.parallel_layers(), 1u);
  EXPECT_EQ(p.max_branches_per_layer(), 4u);
  EXPECT_EQ(t.cls(p, "stem"), NodeClass::kSplitter);
  EXPECT_EQ(t.cls(p, "concat"), NodeClass::kMerger);
  EXPECT_DOUBLE_EQ(p.critical_path_macs, 422);
  EXPECT_DOUBLE_EQ(p.bound_macs, 422);
}

TEST(Partition, ImbalancedLayerRunsSequentiallyAndBetaIsConfigurable) {
  TestGraph t = inception({300, 300, 300, 600});
  Partition p = must_partition(t);
  EXPECT_FALSE(p.layers[1].parallel);
  EXPECT_EQ(p.layers[1].reason, "imbalanced: F_max / F_min = 2 > beta 1.5");
  PartitionOptions o;
  o.beta = 2.5;
  EXPECT_TRUE(must_partition(t, o).layers[1].parallel);
}

TEST(Partition, NestedSplits) {
  TestGraph t;
  t.op("A", "Relu", {"x"}, {"a"});
  t.op("B", "Relu", {"a"}, {"b"});
  t.op("C", "Relu", {"a"}, {"c"});
  t.op("D", "Relu", {"b"}, {"d"});
  t.op("E", "Relu", {"b"}, {"e"});
  t.op("F", "Add", {"d", "e"}, {"f"});
  t.op("G", "Add", {"f", "c"}, {"y"});
  t.output("y");
  Partition p = must_partition(t);
  EXPECT_EQ(t.branches(p), (Names{{"A"}, {"B"}, {"C"}, {"D"}, {"E"}, {"F"}, {"G"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}, {1, 2}, {3, 4}, {5}, {6}}));
  EXPECT_EQ(t.cls(p, "B"), NodeClass::kSplitter);
}

TEST(Partition, TwoConsumersOfOneTensorAndOneConsumerReadingItTwice) {
  TestGraph t;
  t.op("A", "Relu", {"x"}, {"a"});
  t.op("Sq", "Mul", {"a", "a"}, {"sq"});  // one consumer, two reads: still Sequential
  t.op("B", "Relu", {"sq"}, {"b"});
  t.op("C", "Sigmoid", {"sq"}, {"c"});
  t.output("b");
  t.output("c");
  Partition p = must_partition(t);
  EXPECT_EQ(t.cls(p, "Sq"), NodeClass::kSplitter);
  EXPECT_EQ(t.cls(p, "A"), NodeClass::kSequential);
  EXPECT_EQ(t.branches(p), (Names{{"A", "Sq"}, {"B"}, {"C"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}, {1, 2}}));
}

TEST(Partition, IfIsSplitMergeAndABranchOfItsOwn) {
  TestGraph t;
  t.op("A", "Relu", {"x"}, {"a"});
  t.op("cond", "Greater", {"a", "x"}, {"c"});
  t.op("if", "If", {"c", "a"}, {"i"});
  t.op("B", "Relu", {"i"}, {"y"});
  t.output("y");
  Partition p = must_partition(t);
  EXPECT_EQ(t.cls(p, "if"), NodeClass::kSplitMerge);
  EXPECT_EQ(t.branches(p), (Names{{"A"}, {"cond"}, {"if"}, {"B"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}, {1}, {2}, {3}}));
}

PartitionOptions fake_accelerator(OffloadRule rule = OffloadRule::kAlways) {
  PartitionOptions o;
  o.accelerator.supported = [](const Node& n) {
    return n.op_type == "Conv" || n.op_type == "Relu" || n.op_type == "Add";
  };
  o.accelerator.rule = rule;
  return o;
}

TEST(Partition, AcceleratorRegionIsOneIndivisibleUnit) {
  TestGraph t;
  t.op("pre", "Sigmoid", {"x"}, {"p"});
  t.op("conv1", "Conv", {"p"}, {"c1"});
  t.op("relu1", "Relu", {"c1"}, {"r1"});
  t.op("conv2", "Conv", {"r1"}, {"c2"});
  t.op("add", "Add", {"c2", "r1"}, {"s"});
  t.op("post", "Softmax", {"s"}, {"y"});
  t.output("y");
  Partition p = must_partition(t, fake_accelerator());
  ASSERT_EQ(p.regions.size(), 1u);
  EXPECT_TRUE(p.regions[0].offload);
  EXPECT_EQ(p.regions[0].cost.ops, 4);
  EXPECT_DOUBLE_EQ(p.regions[0].cost.boundary_bytes, 800);  // p in, s out
  // Inside the region relu1 splits and add merges, but the region is one node.
  EXPECT_EQ(t.branches(p), (Names{{"pre"}, {"conv1", "relu1", "conv2", "add"}, {"post"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}, {1}, {2}}));
  EXPECT_TRUE(p.branches[1].region.valid());
  EXPECT_EQ(t.cls(p, "relu1"), NodeClass::kSequential);
  EXPECT_EQ(p.nodes[2].device_reason.rfind("accelerator: region r0", 0), 0u) << p.nodes[2].device_reason;
  EXPECT_EQ(p.nodes[0].device_reason, "cpu: not supported by the accelerator");
}

TEST(Partition, RegionThatWouldMakeACycleIsSplit) {
  TestGraph t;
  t.op("A", "Conv", {"x"}, {"a"});
  t.op("X", "Sigmoid", {"a"}, {"s"});
  t.op("B", "Add", {"a", "s"}, {"y"});
  t.output("y");
  Partition p = must_partition(t, fake_accelerator());
  ASSERT_EQ(p.regions.size(), 2u);
  EXPECT_EQ(p.regions[0].nodes, std::vector<NodeId>{NodeId(0u)});
  EXPECT_EQ(p.regions[1].nodes, std::vector<NodeId>{NodeId(2u)});
  EXPECT_EQ(t.branches(p), (Names{{"A"}, {"X"}, {"B"}}));
  EXPECT_EQ(TestGraph::layers(p), (Layers{{0}, {1}, {2}}));
}

TEST(Partition, CostModelPrunesSmallRegionsAndKeepsBigOnes) {
  TestGraph t;
  t.op("small", "Conv", {"x"}, {"a"}, 1000);
  t.op("cpu", "Sigmoid", {"a"}, {"b"});
  t.op("big", "Conv", {"b"}, {"y"}, 1e10);
  t.output("y");
  Partition p = must_partition(t, fake_accelerator(OffloadRule::kCostModel));
  ASSERT_EQ(p.regions.size(), 2u);
  EXPECT_FALSE(p.regions[0].offload) << p.regions[0].reason;
  EXPECT_TRUE(p.regions[1].offload) << p.regions[1].reason;
  EXPECT_NE(p.regions[0].reason.find("T_offload"), std::string::npos);
  EXPECT_FALSE(p.nodes[0].region.valid());
  EXPECT_EQ(p.nodes[0].device_reason.rfind("cpu: region r0 pruned", 0), 0u) << p.nodes[0].device_reason;
  EXPECT_TRUE(p.nodes[2].region.valid());
  // The pruned region is ordinary CPU work again: it chains with "cpu".
  EXPECT_EQ(t.branches(p), (Names{{"small", "cpu"}, {"big"}}));
}

TEST(Partition, CycleIsAClearError) {
  TestGraph t;
  t.op("A", "Relu", {"x", "b"}, {"a"});
  t.op("B", "Relu", {"a"}, {"b"});
  auto p = partition(t.g, t.work(), {});
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(p.status().message().find("cycle"), std::string::npos) << p.status().message();
}

TEST(Partition, BadArgumentsAreErrors) {
  TestGraph t;
  t.op("A", "Relu", {"x"}, {"y"});
  std::vector<NodeWork> none;
  EXPECT_EQ(partition(t.g, none, {}).status().code(), StatusCode::kInvalidArgument);
  PartitionOptions o;
  o.beta = 0.5;
  EXPECT_EQ(partition(t.g, t.work(), o).status().code(), StatusCode::kInvalidArgument);
}

TEST(Partition, FoldedNodesAreLeftOut) {
  TestGraph t;
  t.op("shape", "Shape", {"x"}, {"s"});
  t.op("reshape", "Reshape", {"x", "s"}, {"r"});
  t.op("relu", "Relu", {"r"}, {"y"});
  t.output("y");
  std::vector<NodeWork> w = t.work();
  w[0].runs = false;
  auto p = partition(t.g, w, {});
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->running_nodes, 2u);
  EXPECT_EQ(t.branches(*p), (Names{{"reshape", "relu"}}));
  EXPECT_FALSE(p->nodes[0].branch.valid());
}

}  // namespace
}  // namespace parallax
