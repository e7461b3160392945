// x * Sigmoid(x) and x * HardSigmoid(x) give the same result fused (Swish /
// HardSwish, and folded into a preceding Conv) as op by op.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

// x -> Conv -> c;  c * Sigmoid(c) -> s;  s * HardSigmoid(s) -> h;
// x * Sigmoid(x) -> g (no Conv before it: a standalone Swish);
// h * Sigmoid(x) is NOT a gate of h (different inputs) and must stay.
std::string gated_model() {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 4, 6, 6});
  std::vector<float> w(4 * 4 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(static_cast<int>(i * 7 % 11) - 5) / 8.0f;
  b.initializer("w", {4, 4, 3, 3}, w);
  auto* conv = b.node("Conv", {"x", "w"}, {"c"});
  auto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int k = 0; k < 4; ++k) pads->add_ints(1);
  b.node("Sigmoid", {"c"}, {"cs"});
  b.node("Mul", {"c", "cs"}, {"s"});
  auto* hs = b.node("HardSigmoid", {"s"}, {"hsg"});
  auto* alpha = hs->add_attribute();
  alpha->set_name("alpha");
  alpha->set_type(onnx::AttributeProto::FLOAT);
  alpha->set_f(1.0f / 6.0f);
  b.node("Mul", {"hsg", "s"}, {"h"});
  b.node("Sigmoid", {"x"}, {"xs"});
  b.node("Mul", {"x", "xs"}, {"g"});
  b.node("Sigmoid", {"x"}, {"xs2"});
  b.node("Mul", {"h", "xs2"}, {"mixed"});
  b.output("g", onnx::TensorProto::FLOAT, {1, 4, 6, 6});
  b.output("mixed", onnx::TensorProto::FLOAT, {1, 4, 6, 6});
  return b.bytes();
}

TEST(FuseGatedActivation, FusedMatchesUnfused) {
  Tensor x = Tensor::allocate(DataType::kFloat32, {1, 4, 6, 6});
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
  SessionOptions fused, plain;
  fused.profile = true;
  plain.optimize = false;
  auto a = Session::open_from_bytes(gated_model(), fused);
  auto b = Session::open_from_bytes(gated_model(), plain);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  auto ya = (*a)->run({{"x", x}});
  auto yb = (*b)->run({{"x", x}});
  ASSERT_TRUE(ya.is_ok()) << ya.status().to_string();
  ASSERT_TRUE(yb.is_ok()) << yb.status().to_string();
  for (size_t o = 0; o < 2; ++o) {
    ASSERT_EQ((*ya)[o].shape(), (*yb)[o].shape());
    for (int64_t i = 0; i < (*ya)[o].numel(); ++i) {
      const float want = (*yb)[o].data<float>()[i];
      ASSERT_NEAR((*ya)[o].data<float>()[i], want, 1e-5f + 1e-5f * std::fabs(want)) << "output " << o << " at " << i;
    }
  }
  std::set<std::string> ops;
  for (const OpProfileEntry& e : (*a)->op_profile()) ops.insert(e.op);
  EXPECT_EQ(ops.count("HardSigmoid"), 0u) << "HardSwish not fused";
  EXPECT_EQ(ops.count("Swish"), 1u) << "the standalone x * Sigmoid(x) runs as Swish";
  EXPECT_EQ(ops.count("Sigmoid"), 1u) << "only the Sigmoid of the mixed product stays";
}

}  // namespace
}  // namespace parallax
