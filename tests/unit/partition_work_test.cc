#include <gtest/gtest.h>

#include "format/onnx_loader.h"
#include "model_builder.h"
#include "partition/work_estimate.h"
#include "runtime/program.h"

namespace parallax {
namespace {

ValueShape vs(Shape s, bool constant = false) {
  ValueShape v;
  v.shape = std::move(s);
  v.dtype = DataType::kFloat32;
  v.constant = constant;
  return v;
}

Node node(const std::string& op, const std::string& domain = "") {
  Node n;
  n.op_type = op;
  n.domain = domain;
  return n;
}

double macs(const Node& n, std::vector<ValueShape> in, std::vector<ValueShape> out) {
  NodeWork w = estimate_node_work(n, in, out);
  EXPECT_TRUE(w.shape_known) << n.op_type;
  return w.macs;
}

TEST(WorkEstimate, ConvolutionsCountCinOverGroupTimesKernelPerOutput) {
  // 1x3x8x8 * 4x3x3x3 -> 1x4x6x6: 144 outputs x 27.
  EXPECT_DOUBLE_EQ(macs(node("Conv"), {vs({1, 3, 8, 8}), vs({4, 3, 3, 3}, true)}, {vs({1, 4, 6, 6})}), 144.0 * 27);
  // Depthwise (group 4): 144 outputs x 9.
  EXPECT_DOUBLE_EQ(macs(node("Conv"), {vs({1, 4, 8, 8}), vs({4, 1, 3, 3}, true)}, {vs({1, 4, 6, 6})}), 144.0 * 9);
  // Channels-last: X/Y are [N,H,W,C], W stays [Cout, Cin/g, Kh, Kw].
  EXPECT_DOUBLE_EQ(macs(node("NhwcConv", "com.parallax"), {vs({1, 8, 8, 3}), vs({4, 3, 3, 3}, true)},
                        {vs({1, 6, 6, 4})}),
                   144.0 * 27);
  // ConvTranspose: W is [Cin, Cout/g, Kh, Kw]; every input pixel scatters Cout/g*Kh*Kw.
  EXPECT_DOUBLE_EQ(macs(node("ConvTranspose"), {vs({1, 2, 4, 4}), vs({2, 3, 2, 2}, true)}, {vs({1, 3, 8, 8})}),
                   32.0 * 12);
}

TEST(WorkEstimate, MatMulAndGemmAreMNK) {
  EXPECT_DOUBLE_EQ(macs(node("MatMul"), {vs({2, 3, 4}), vs({4, 5})}, {vs({2, 3, 5})}), 2.0 * 3 * 5 * 4);
  Node gemm = node("Gemm");
  Attribute t;
  t.kind = Attribute::Kind::kInt;
  t.i = 1;
  gemm.attrs.set("transA", t);
  EXPECT_DOUBLE_EQ(macs(gemm, {vs({7, 3}), vs({7, 5})}, {vs({3, 5})}), 3.0 * 5 * 7);
}

TEST(WorkEstimate, PoolingReduceElementwiseAndDataMovement) {
  Node pool = node("NhwcMaxPool", "com.parallax");
  Attribute k;
  k.kind = Attribute::Kind::kInts;
  k.ints = {3, 3};
  pool.attrs.set("kernel_shape", k);
  EXPECT_DOUBLE_EQ(macs(pool, {vs({1, 8, 8, 16})}, {vs({1, 4, 4, 16})}), 256.0 * 9);
  EXPECT_DOUBLE_EQ(macs(node("NhwcGlobalAveragePool", "com.parallax"), {vs({1, 7, 7, 32})}, {vs({1, 1, 1, 32})}),
                   49.0 * 32);
  EXPECT_DOUBLE_EQ(macs(node("ReduceMean"), {vs({2, 10})}, {vs({2, 1})}), 20);
  EXPECT_DOUBLE_EQ(macs(node("Add"), {vs({2, 10}), vs({10})}, {vs({2, 10})}), 20);
  EXPECT_DOUBLE_EQ(macs(node("Transpose"), {vs({2, 10})}, {vs({10, 2})}), 0);
}

TEST(WorkEstimate, UnknownShapesGiveZeroAndAFlag) {
  ValueShape unknown;
  unknown.dtype = DataType::kFloat32;
  NodeWork w = estimate_node_work(node("Relu"), std::vector<ValueShape>{unknown}, std::vector<ValueShape>{unknown});
  EXPECT_FALSE(w.shape_known);
  EXPECT_EQ(w.macs, 0);
  EXPECT_EQ(w.output_bytes[0], kUnknownBytes);
  NodeWork c = estimate_node_work(node("Conv"), std::vector<ValueShape>{vs({1, 3, 8, 8}), vs({4, 3, 3, 3}, true)},
                                  std::vector<ValueShape>{vs({1, 4, 6, 6})});
  EXPECT_EQ(c.input_bytes[1], 0);  // weights are resident, not moved per run
  EXPECT_EQ(c.input_bytes[0], 3 * 64 * 4);
}

TEST(WorkEstimate, FromAShapePlan) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {-1, 3, 8, 8});
  b.initializer("w", {4, 3, 3, 3}, std::vector<float>(108, 0.1f));
  b.node("Conv", {"x", "w"}, {"c"});
  b.node("Relu", {"c"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, 4, 6, 6});
  auto model = load_model_from_bytes(b.bytes(), {}, {});
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  auto program = Program::compile((*model)->graph, {});
  ASSERT_TRUE(program.is_ok()) << program.status().to_string();
  std::vector<Tensor> inputs = {Tensor::allocate(DataType::kFloat32, {2, 3, 8, 8})};
  auto plan = (*program)->plan_for(inputs, {});
  ASSERT_TRUE(plan.is_ok()) << plan.status().to_string();
  std::vector<NodeWork> w = estimate_work((*program)->graph(), **plan);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[0].macs, 2.0 * 144 * 27);
  EXPECT_DOUBLE_EQ(w[1].macs, 2.0 * 144);
  EXPECT_TRUE(w[0].runs && w[1].runs);
}

}  // namespace
}  // namespace parallax
