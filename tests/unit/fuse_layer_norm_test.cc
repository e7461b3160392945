// The spelled-out LayerNorm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt,
// Div, Mul, Add) gives the same result fused as op by op.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

std::string spelled_out_layer_norm() {
  testing::ModelBuilder b(14);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3, 8});
  b.initializer("two", {}, {2.0f});
  b.initializer("eps", {}, {1e-5f});
  b.initializer("gamma", {8}, {1, 2, 3, 4, 0.5f, 0.25f, -1, 1});
  b.initializer("beta", {8}, {0, 1, 0, -1, 0, 2, 0, 0});
  auto axes = [](onnx::NodeProto* n) {
    auto* a = n->add_attribute();
    a->set_name("axes");
    a->set_type(onnx::AttributeProto::INTS);
    a->add_ints(-1);
  };
  axes(b.node("ReduceMean", {"x"}, {"m"}));
  b.node("Sub", {"x", "m"}, {"d"});
  b.node("Pow", {"d", "two"}, {"p"});
  axes(b.node("ReduceMean", {"p"}, {"v"}));
  b.node("Add", {"v", "eps"}, {"ve"});
  b.node("Sqrt", {"ve"}, {"s"});
  b.node("Div", {"d", "s"}, {"n"});
  b.node("Mul", {"n", "gamma"}, {"g"});
  b.node("Add", {"g", "beta"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2, 3, 8});
  return b.bytes();
}

TEST(FuseLayerNorm, FusedMatchesUnfused) {
  Tensor x = Tensor::allocate(DataType::kFloat32, {2, 3, 8});
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(1.0f, 3.0f);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
  SessionOptions fused, plain;
  fused.profile = true;  // to see which ops ran
  plain.optimize = false;
  auto a = Session::open_from_bytes(spelled_out_layer_norm(), fused);
  auto b = Session::open_from_bytes(spelled_out_layer_norm(), plain);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  auto ya = (*a)->run({{"x", x}});
  auto yb = (*b)->run({{"x", x}});
  ASSERT_TRUE(ya.is_ok()) << ya.status().to_string();
  ASSERT_TRUE(yb.is_ok()) << yb.status().to_string();
  ASSERT_EQ((*ya)[0].shape(), (*yb)[0].shape());
  auto profile = (*a)->op_profile();
  ASSERT_EQ(profile.size(), 1u);  // the nine ops became one
  EXPECT_EQ(profile[0].op, "LayerNormalization");
  for (int64_t i = 0; i < x.numel(); ++i)
    EXPECT_NEAR((*ya)[0].data<float>()[i], (*yb)[0].data<float>()[i], 1e-4f) << "element " << i;
}

}  // namespace
}  // namespace parallax
