// The skip connection of a residual block, Conv -> Add(skip) -> Relu, runs as
// one channels-last convolution with the Add and the Relu fused, and gives
// what the unfused graph gives; a skip tensor that broadcasts against the
// convolution (which the graph pass cannot see) is added apart, correctly.
#include <gtest/gtest.h>

#include <random>

#include "fused_vs_plain.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

// How the skip tensor is made from r1 (the first convolution's activation);
// it is computed channels-last, as inside a real network.
enum class Skip {
  kSame,       // r1 itself: [1,4,6,6]
  kPerChannel, // GlobalAveragePool(r1): [1,4,1,1], as in squeeze-excitation blocks
  kBatchOfTwo, // r1 * c, c of [2,1,1,1]: the sum is larger than the convolution's output
};

// x [1,4,6,6] -> Conv(3x3, pad 1) -> Relu (r1) -> Conv(3x3, pad 1) -> Add(skip) -> Relu -> y.
std::string residual_block(Skip skip) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 4, 6, 6});
  for (const char* name : {"w1", "w2"}) {
    std::vector<float> w(4 * 4 * 3 * 3);
    for (size_t i = 0; i < w.size(); ++i) w[i] = 0.05f * static_cast<float>(static_cast<int>((i * 7 + name[1]) % 11) - 5);
    b.initializer(name, {4, 4, 3, 3}, w);
  }
  b.initializer("bias", {4}, {0.1f, -0.2f, 0.3f, 0.0f});
  for (auto [in, w, out] : {std::tuple{"x", "w1", "c1"}, std::tuple{"r1", "w2", "c2"}}) {
    auto* conv = b.node("Conv", {in, w, "bias"}, {out});
    auto* pads = conv->add_attribute();
    pads->set_name("pads");
    pads->set_type(onnx::AttributeProto::INTS);
    for (int k = 0; k < 4; ++k) pads->add_ints(1);
  }
  b.node("Relu", {"c1"}, {"r1"});
  const char* skip_name = "r1";
  if (skip == Skip::kPerChannel) {
    b.node("GlobalAveragePool", {"r1"}, {"skip"});
    skip_name = "skip";
  } else if (skip == Skip::kBatchOfTwo) {
    b.initializer("two", {2, 1, 1, 1}, {0.5f, -1.5f});
    b.node("Mul", {"r1", "two"}, {"skip"});
    skip_name = "skip";
  }
  b.node("Add", {"c2", skip_name}, {"s"});
  b.node("Relu", {"s"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {});
  return b.bytes();
}

using testing::expect_fused_matches_plain;
using testing::random_tensor;

TEST(FuseConvResidual, SkipAddAndReluJoinTheConv) {
  auto ops = expect_fused_matches_plain(residual_block(Skip::kSame), {{"x", random_tensor({1, 4, 6, 6}, 3)}});
  for (const auto& op : ops)
    EXPECT_TRUE(op != "Add" && op != "Relu") << op << " was not fused; ops: " << ::testing::PrintToString(ops);
  EXPECT_NE(std::find(ops.begin(), ops.end(), "NhwcConv+Residual+Relu"), ops.end());
}

TEST(FuseConvResidual, BroadcastingSkipIsAddedApart) {
  for (Skip skip : {Skip::kPerChannel, Skip::kBatchOfTwo}) {
    auto ops = expect_fused_matches_plain(residual_block(skip), {{"x", random_tensor({1, 4, 6, 6}, 5)}});
    EXPECT_NE(std::find(ops.begin(), ops.end(), "NhwcConv+Residual+Relu"), ops.end())
        << static_cast<int>(skip) << "; ops: " << ::testing::PrintToString(ops);
  }
}

}  // namespace
}  // namespace parallax
