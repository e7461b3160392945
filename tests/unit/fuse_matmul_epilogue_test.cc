// A transformer's feed-forward block as torch exports it before opset 20,
//   MatMul -> Add(bias) -> x * (Erf(x / sqrt 2) + 1) * 0.5 -> MatMul -> Add(bias) -> Relu,
// runs as two MatMuls with bias and activation fused (the GELU recognised),
// and gives what the op-by-op graph gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "fused_vs_plain.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(static_cast<int>((i * 5) % 13) - 6);
  return v;
}

// `half_first`: GELU written (x * 0.5) * (1 + erf(x * (1 / sqrt 2))) instead of torch's order.
// `half_constants`: sqrt 2 and 1 / sqrt 2 as a float16 model has them (1.4140625, 0.70703125).
std::string feed_forward(bool half_first, bool half_constants = false) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3, 8});
  b.initializer("w1", {8, 16}, ramp(8 * 16, 0.05f));
  b.initializer("b1", {16}, ramp(16, 0.1f));
  b.initializer("w2", {16, 4}, ramp(16 * 4, 0.07f));
  b.initializer("b2", {4}, ramp(4, 0.2f));
  b.initializer("sqrt2", {}, {half_constants ? 1.4140625f : 1.41421356f});
  b.initializer("inv_sqrt2", {}, {half_constants ? 0.70703125f : 0.70710678f});
  b.initializer("one", {}, {1.0f});
  b.initializer("half", {}, {0.5f});
  b.node("MatMul", {"x", "w1"}, {"m1"});
  b.node("Add", {"m1", "b1"}, {"h"});
  if (half_first) {
    b.node("Mul", {"h", "inv_sqrt2"}, {"s"});
    b.node("Erf", {"s"}, {"e"});
    b.node("Add", {"one", "e"}, {"e1"});
    b.node("Mul", {"h", "half"}, {"hh"});
    b.node("Mul", {"hh", "e1"}, {"g"});
  } else {
    b.node("Div", {"h", "sqrt2"}, {"s"});
    b.node("Erf", {"s"}, {"e"});
    b.node("Add", {"e", "one"}, {"e1"});
    b.node("Mul", {"h", "e1"}, {"he"});
    b.node("Mul", {"he", "half"}, {"g"});
  }
  b.node("MatMul", {"g", "w2"}, {"m2"});
  b.node("Add", {"b2", "m2"}, {"z"});
  b.node("Relu", {"z"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2, 3, 4});
  return b.bytes();
}

TEST(FuseMatMulEpilogue, FeedForwardBlockFusesAndMatches) {
  for (bool half_first : {false, true})
    for (bool half_constants : {false, true}) {
      auto ops = testing::expect_fused_matches_plain(feed_forward(half_first, half_constants),
                                                     {{"x", testing::random_tensor({2, 3, 8}, 17)}});
      EXPECT_EQ(ops, (std::vector<std::string>{"MatMul+Gelu", "MatMul+Relu"}))
          << "half_first " << half_first << " half_constants " << half_constants;
    }
}

TEST(FuseMatMulEpilogue, StandaloneGeluMatchesErfFormula) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {64});
  b.initializer("sqrt2", {}, {1.41421356f});
  b.initializer("one", {}, {1.0f});
  b.initializer("half", {}, {0.5f});
  b.node("Div", {"x", "sqrt2"}, {"s"});
  b.node("Erf", {"s"}, {"e"});
  b.node("Add", {"e", "one"}, {"e1"});
  b.node("Mul", {"x", "e1"}, {"xe"});
  b.node("Mul", {"xe", "half"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {64});
  SessionOptions options;
  options.profile = true;
  auto s = Session::open_from_bytes(b.bytes(), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {64});
  for (int i = 0; i < 64; ++i) x.data<float>()[i] = -8.0f + 0.25f * static_cast<float>(i);
  auto y = (*s)->run({{"x", x}});
  ASSERT_TRUE(y.is_ok()) << y.status().to_string();
  for (int i = 0; i < 64; ++i) {
    const double v = x.data<float>()[i];
    EXPECT_NEAR((*y)[0].data<float>()[i], 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))), 2e-6 * (1 + std::fabs(v)));
  }
  ASSERT_EQ((*s)->op_profile().size(), 1u);
  EXPECT_EQ((*s)->op_profile()[0].op, "Gelu");
}

}  // namespace
}  // namespace parallax
