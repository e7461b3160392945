// Cast pairs: a widening Cast and its way back are dropped; a narrowing one
// and its way back round, and stay.
#include <gtest/gtest.h>

#include "core/float16.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

void add_cast(testing::ModelBuilder& b, const std::string& in, const std::string& out, int to) {
  auto* a = b.node("Cast", {in}, {out})->add_attribute();
  a->set_name("to");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(to);
}

size_t casts_run(Session& s) {
  size_t n = 0;
  for (const auto& e : s.op_profile()) n += e.op == "Cast" ? e.calls : 0;
  return n;
}

TEST(FoldCastPairs, WideningAndBackIsDropped) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT16, {3});
  add_cast(b, "x", "wide", onnx::TensorProto::DOUBLE);
  add_cast(b, "wide", "back", onnx::TensorProto::FLOAT16);
  b.node("Neg", {"back"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT16, {3});
  SessionOptions options;
  options.profile = true;
  auto s = Session::open_from_bytes(b.bytes(), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat16, {3});
  const float values[] = {1.5f, -0.0f, 65504.0f};
  for (int i = 0; i < 3; ++i) x.data<uint16_t>()[i] = float_to_half(values[i]);
  auto y = (*s)->run({{"x", x}});
  ASSERT_TRUE(y.is_ok()) << y.status().to_string();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(half_to_float((*y)[0].data<uint16_t>()[i]), -values[i]);
  // Left: the widening of x for Neg and the narrowing of its result.
  EXPECT_EQ(casts_run(**s), 2u);
}

TEST(FoldCastPairs, NarrowingAndBackStays) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1});
  add_cast(b, "x", "half", onnx::TensorProto::FLOAT16);
  add_cast(b, "half", "y", onnx::TensorProto::FLOAT);
  b.output("y", onnx::TensorProto::FLOAT, {1});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {1});
  x.data<float>()[0] = 0.1f;
  auto y = (*s)->run({{"x", x}});
  ASSERT_TRUE(y.is_ok()) << y.status().to_string();
  EXPECT_EQ((*y)[0].data<float>()[0], half_to_float(float_to_half(0.1f)));
}

}  // namespace
}  // namespace parallax
