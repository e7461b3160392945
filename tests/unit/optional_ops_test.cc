// Optionals (ONNX optional(T)): a value or an empty optional (Tensor::none)
// through graph inputs, Optional, OptionalHasElement and OptionalGetElement,
// and the errors an empty one gets where a value is needed. The ONNX
// conformance cases (test_optional_*, test_identity_opt, test_if_opt,
// test_loop16_seq_none) run in the conformance suite.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

Tensor floats(std::vector<float> values) {
  Tensor t = Tensor::allocate(DataType::kFloat32, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<float>()[i] = values[i];
  return t;
}

std::unique_ptr<Session> open(const ModelBuilder& b) {
  auto session = Session::open_from_bytes(b.bytes());
  EXPECT_TRUE(session.is_ok()) << session.status().to_string();
  return session.is_ok() ? std::move(session).value() : nullptr;
}

// has = OptionalHasElement(opt); value = OptionalGetElement(opt) + 1.
ModelBuilder has_and_get() {
  ModelBuilder b(15);
  b.optional_input("opt", onnx::TensorProto::FLOAT);
  b.initializer("one", {1}, {1});
  b.node("OptionalHasElement", {"opt"}, {"has"});
  b.node("OptionalGetElement", {"opt"}, {"value"});
  b.node("Add", {"value", "one"}, {"y"});
  b.output("has", onnx::TensorProto::BOOL, {});
  b.output("y", onnx::TensorProto::FLOAT, {2});
  return b;
}

TEST(OptionalOps, AValueIsHeldAndGot) {
  auto session = open(has_and_get());
  ASSERT_NE(session, nullptr);
  EXPECT_TRUE(session->inputs()[0].optional);
  auto out = session->run({{"opt", floats({1, 2})}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_TRUE(*(*out)[0].data<bool>());
  EXPECT_EQ((*out)[1].data<float>()[0], 2.0f);
  EXPECT_EQ((*out)[1].data<float>()[1], 3.0f);
}

TEST(OptionalOps, AnEmptyOptionalHasNoElementToGet) {
  auto session = open(has_and_get());
  ASSERT_NE(session, nullptr);
  auto out = session->run({{"opt", Tensor::none()}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("the optional is empty"), std::string::npos) << out.status().to_string();
  EXPECT_NE(out.status().message().find("OptionalGetElement"), std::string::npos) << out.status().to_string();

  ModelBuilder b(15);
  b.optional_input("opt", onnx::TensorProto::FLOAT);
  b.node("OptionalHasElement", {"opt"}, {"has"});
  b.output("has", onnx::TensorProto::BOOL, {});
  auto has = open(b);
  ASSERT_NE(has, nullptr);
  auto empty = has->run({{"opt", Tensor::none()}});
  ASSERT_TRUE(empty.is_ok()) << empty.status().to_string();
  EXPECT_FALSE(*(*empty)[0].data<bool>());
}

// Optional() of no input is empty; an empty optional where a tensor op wants
// a tensor, or fed to an input that is not optional, is an error.
TEST(OptionalOps, EmptyWhereATensorBelongsIsRefused) {
  ModelBuilder b(15);
  auto* make = b.node("Optional", {}, {"nothing"});
  auto* type = make->add_attribute();
  type->set_name("type");
  type->set_type(onnx::AttributeProto::TYPE_PROTO);
  type->mutable_tp()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  b.node("Relu", {"nothing"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1});
  auto session = Session::open_from_bytes(b.bytes());
  // The empty optional is a constant the planner folds when the session
  // opens: the Relu is refused then or at the first run.
  Status s = session.is_ok() ? (*session)->run({}).status() : session.status();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("is an empty optional"), std::string::npos) << s.to_string();

  ModelBuilder t(15);
  t.input("x", onnx::TensorProto::FLOAT, {1});
  t.node("Relu", {"x"}, {"y"});
  t.output("y", onnx::TensorProto::FLOAT, {1});
  auto plain = open(t);
  ASSERT_NE(plain, nullptr);
  auto out = plain->run({{"x", Tensor::none()}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("is not optional"), std::string::npos) << out.status().to_string();
}

}  // namespace
}  // namespace parallax
