// The QDQ MaxPool and Add that run on bytes (graph/passes/fuse_qdq_max_pool.cc,
// fuse_qdq_add.cc with kernels/cpu/q_linear_add.cc's vector loop) give the
// plain graph's bits: uint8 and int8, with and without Relu, a scalar
// operand, and sizes that leave a tail after the last full vector.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "fused_vs_plain.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

void zero_point(testing::ModelBuilder& b, const std::string& name, bool int8, int v) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(int8 ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8);
  t->add_int32_data(v);
}

// x -> Q -> DQ (the quantized tensor the op reads), named `out`.
void quantized_input(testing::ModelBuilder& b, const std::string& x, const std::string& out, const Shape& s,
                     float scale, bool int8, int zp) {
  b.input(x, onnx::TensorProto::FLOAT, s);
  b.initializer(x + "s", {}, {scale});
  zero_point(b, x + "z", int8, zp);
  b.node("QuantizeLinear", {x, x + "s", x + "z"}, {x + "q"});
  b.node("DequantizeLinear", {x + "q", x + "s", x + "z"}, {out});
}

// v -> Q -> DQ -> y (float output).
void quantized_output(testing::ModelBuilder& b, const std::string& v, const Shape& s, float scale, bool int8,
                      int zp) {
  b.initializer("ys", {}, {scale});
  zero_point(b, "yz", int8, zp);
  b.node("QuantizeLinear", {v, "ys", "yz"}, {"yq"});
  b.node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, s);
}

// op_profile() has one entry per op type.
bool ran(const std::vector<std::string>& ops, const std::string& op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

TEST(FuseQdqMaxPool, PoolsTheBytesWithThePlainGraphsResult) {
  for (bool int8 : {false, true}) {
    testing::ModelBuilder b(13);
    const Shape xs{1, 5, 23, 21};
    quantized_input(b, "x", "xd", xs, 0.03f, int8, int8 ? -7 : 131);
    auto* pool = b.node("MaxPool", {"xd"}, {"p"});
    testing::set_ints(pool, "kernel_shape", {3, 3});
    testing::set_ints(pool, "strides", {2, 2});
    testing::set_ints(pool, "pads", {1, 1, 1, 1});
    const Shape ys{1, 5, 12, 11};
    // The same parameters on both sides: what quantize_static writes.
    quantized_output(b, "p", ys, 0.03f, int8, int8 ? -7 : 131);
    const auto ops = testing::expect_fused_matches_plain(b.bytes(), {{"x", testing::random_tensor(xs, 11, 3.0f)}}, 0.0f);
    EXPECT_TRUE(ran(ops, "MaxPool") || ran(ops, "NhwcMaxPool")) << ::testing::PrintToString(ops);
    // x's QuantizeLinear feeds the pool and y's DequantizeLinear reads it: no
    // float round trip is left.
    EXPECT_TRUE(ran(ops, "QuantizeLinear") && ran(ops, "DequantizeLinear")) << ::testing::PrintToString(ops);
    EXPECT_FALSE(ran(ops, "QuantizeDequantize")) << ::testing::PrintToString(ops);
  }
}

TEST(FuseQdqMaxPool, OtherOutputParametersStayFloat) {
  testing::ModelBuilder b(13);
  const Shape xs{1, 2, 8, 8};
  quantized_input(b, "x", "xd", xs, 0.03f, false, 128);
  testing::set_ints(b.node("MaxPool", {"xd"}, {"p"}), "kernel_shape", {2, 2});
  quantized_output(b, "p", {1, 2, 7, 7}, 0.05f, false, 128);  // another scale: no byte pooling
  const auto ops = testing::expect_fused_matches_plain(b.bytes(), {{"x", testing::random_tensor(xs, 5, 3.0f)}}, 0.0f);
  // Both Q -> DQ pairs stay float round trips around a float MaxPool.
  EXPECT_TRUE(ran(ops, "QuantizeDequantize")) << ::testing::PrintToString(ops);
  EXPECT_FALSE(ran(ops, "QuantizeLinear")) << ::testing::PrintToString(ops);
}

TEST(FuseQdqAdd, VectorLoopGivesThePlainGraphsBits) {
  for (bool int8 : {false, true})
    for (bool relu : {false, true})
      for (bool scalar_b : {false, true}) {
        testing::ModelBuilder b(13);
        const Shape s{1, 3, 17, 19};  // 969 elements: a tail after any vector width
        quantized_input(b, "a", "ad", s, 0.021f, int8, int8 ? 5 : 119);
        quantized_input(b, "b", "bd", scalar_b ? Shape{} : s, 0.017f, int8, int8 ? -3 : 140);
        b.node("Add", {"ad", "bd"}, {"sum"});
        std::string v = "sum";
        if (relu) {
          b.node("Relu", {"sum"}, {"r"});
          v = "r";
        }
        quantized_output(b, v, s, 0.033f, int8, int8 ? 2 : 100);
        const auto ops = testing::expect_fused_matches_plain(
            b.bytes(),
            {{"a", testing::random_tensor(s, 21, 2.5f)}, {"b", testing::random_tensor(scalar_b ? Shape{} : s, 22, 2.5f)}},
            0.0f);
        EXPECT_TRUE(ran(ops, relu ? "QLinearAdd+Relu" : "QLinearAdd"))
            << ::testing::PrintToString(ops) << " int8 " << int8 << " relu " << relu << " scalar " << scalar_b;
      }
}

}  // namespace
}  // namespace parallax
