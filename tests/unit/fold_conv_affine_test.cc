// Conv -> Mul(scalar) -> Add(per-channel) -> x*Clip(x+3,0,6)/6 (Paddle's
// spelling of BatchNorm-free scaling and HardSwish) gives the same result
// folded into one Conv with a fused HardSwish as op by op.
#include <gtest/gtest.h>

#include <random>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

std::string paddle_style_block() {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 2, 5, 5});
  std::vector<float> w(3 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * static_cast<float>(static_cast<int>(i % 7) - 3);
  b.initializer("w", {3, 2, 3, 3}, w);
  b.initializer("scale", {1}, {1.5f});
  b.initializer("shift", {1, 3, 1, 1}, {0.5f, -1.0f, 2.0f});
  b.initializer("three", {}, {3.0f});
  b.initializer("zero", {}, {0.0f});
  b.initializer("six", {}, {6.0f});
  auto* conv = b.node("Conv", {"x", "w"}, {"c"});
  auto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int k = 0; k < 4; ++k) pads->add_ints(1);
  b.node("Mul", {"scale", "c"}, {"s"});
  b.node("Add", {"s", "shift"}, {"a"});
  b.node("Add", {"a", "three"}, {"a3"});
  b.node("Clip", {"a3", "zero", "six"}, {"r6"});
  b.node("Mul", {"a", "r6"}, {"m"});
  b.node("Div", {"m", "six"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1, 3, 5, 5});
  return b.bytes();
}

TEST(FoldConvAffine, FoldedMatchesUnfused) {
  Tensor x = Tensor::allocate(DataType::kFloat32, {1, 2, 5, 5});
  std::mt19937 rng(11);
  std::normal_distribution<float> dist(0.0f, 2.0f);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
  SessionOptions folded, plain;
  folded.profile = true;
  plain.optimize = false;
  auto a = Session::open_from_bytes(paddle_style_block(), folded);
  auto b = Session::open_from_bytes(paddle_style_block(), plain);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  auto ya = (*a)->run({{"x", x}});
  auto yb = (*b)->run({{"x", x}});
  ASSERT_TRUE(ya.is_ok()) << ya.status().to_string();
  ASSERT_TRUE(yb.is_ok()) << yb.status().to_string();
  ASSERT_EQ((*ya)[0].shape(), (*yb)[0].shape());
  for (int64_t i = 0; i < (*yb)[0].numel(); ++i)
    EXPECT_NEAR((*ya)[0].data<float>()[i], (*yb)[0].data<float>()[i], 1e-4f) << "element " << i;
  // Seven ops became one convolution with HardSwish fused (plus the layout transposes).
  bool fused_conv = false;
  for (const auto& e : (*a)->op_profile()) {
    EXPECT_TRUE(e.op != "Mul" && e.op != "Add" && e.op != "Clip" && e.op != "Div") << e.op << " was not folded";
    fused_conv |= e.op == "NhwcConv+HardSwish";
  }
  EXPECT_TRUE(fused_conv);
}

}  // namespace
}  // namespace parallax
