// Pad (zeros, spatial) -> AveragePool becomes one AveragePool with pads and
// count_include_pad = 1 (graph/passes/fold_pad_into_pool.cc): same results
// as the plain graph with symmetric and asymmetric pads, the Pad of opset 13
// (pads as an input) and of opset 10 (an attribute); a non-zero pad value
// or padded channels keep the Pad.
#include <gtest/gtest.h>

#include <algorithm>

#include "fused_vs_plain.h"
#include "model_builder.h"

namespace parallax {
namespace {

std::string pad_pool_model(int opset, const std::vector<int64_t>& pads, float value, const Shape& out) {
  testing::ModelBuilder b(opset);
  b.input("x", onnx::TensorProto::FLOAT, {1, 5, 9, 11});
  onnx::NodeProto* pad;
  if (opset >= 11) {
    b.initializer_int64("pads", {static_cast<int64_t>(pads.size())}, pads);
    b.initializer("value", {}, {value});
    pad = b.node("Pad", {"x", "pads", "value"}, {"p"});
  } else {
    pad = b.node("Pad", {"x"}, {"p"});
    auto* a = pad->add_attribute();
    a->set_name("pads");
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : pads) a->add_ints(v);
    auto* v = pad->add_attribute();
    v->set_name("value");
    v->set_type(onnx::AttributeProto::FLOAT);
    v->set_f(value);
  }
  auto* pool = b.node("AveragePool", {"p"}, {"y"});
  auto* k = pool->add_attribute();
  k->set_name("kernel_shape");
  k->set_type(onnx::AttributeProto::INTS);
  k->add_ints(3);
  k->add_ints(3);
  b.output("y", onnx::TensorProto::FLOAT, out);
  return b.bytes();
}

bool ran(const std::vector<std::string>& ops, const char* op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

TEST(FoldPadIntoPool, ZeroPadsJoinThePool) {
  const Tensor x = testing::random_tensor({1, 5, 9, 11}, 3);
  auto ops = testing::expect_fused_matches_plain(pad_pool_model(13, {0, 0, 1, 1, 0, 0, 1, 1}, 0.0f, {1, 5, 9, 11}),
                                                 {{"x", x}}, 1e-5f);
  EXPECT_FALSE(ran(ops, "Pad"));
  ops = testing::expect_fused_matches_plain(pad_pool_model(13, {0, 0, 2, 0, 0, 0, 1, 2}, 0.0f, {1, 5, 10, 11}),
                                            {{"x", x}}, 1e-5f);
  EXPECT_FALSE(ran(ops, "Pad"));
  ops = testing::expect_fused_matches_plain(pad_pool_model(10, {0, 0, 1, 1, 0, 0, 1, 1}, 0.0f, {1, 5, 9, 11}),
                                            {{"x", x}}, 1e-5f);
  EXPECT_FALSE(ran(ops, "Pad"));
}

TEST(FoldPadIntoPool, OtherPadsStay) {
  const Tensor x = testing::random_tensor({1, 5, 9, 11}, 3);
  auto ops = testing::expect_fused_matches_plain(pad_pool_model(13, {0, 0, 1, 1, 0, 0, 1, 1}, 1.5f, {1, 5, 9, 11}),
                                                 {{"x", x}}, 1e-5f);
  EXPECT_TRUE(ran(ops, "Pad"));
  ops = testing::expect_fused_matches_plain(pad_pool_model(13, {0, 1, 1, 1, 0, 0, 1, 1}, 0.0f, {1, 6, 9, 11}),
                                            {{"x", x}}, 1e-5f);
  EXPECT_TRUE(ran(ops, "Pad"));
}

}  // namespace
}  // namespace parallax
