// Bad input gets a clear error naming what is wrong, never a crash.
#include <gtest/gtest.h>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

std::string relu_model() {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {-1, 4});
  b.node("Relu", {"x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, 4});
  return b.bytes();
}

Tensor filled(Shape shape, float v) {
  Tensor t = Tensor::allocate(DataType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = v;
  return t;
}

TEST(SessionErrors, RunsAValidModelWithAnyBatch) {
  auto s = Session::open_from_bytes(relu_model());
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  for (int64_t batch : {1, 3, 1}) {
    auto out = (*s)->run({{"x", filled({batch, 4}, -2.0f)}});
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{batch, 4}));
    EXPECT_EQ((*out)[0].data<float>()[0], 0.0f);
  }
}

TEST(SessionErrors, TruncatedModel) {
  std::string bytes = relu_model();
  auto s = Session::open_from_bytes(bytes.substr(0, bytes.size() / 2));
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.status().message().find("not a valid ONNX model"), std::string::npos) << s.status().to_string();
}

TEST(SessionErrors, GarbageBytes) {
  auto s = Session::open_from_bytes(std::string("\xff\xff\xff\xff garbage", 12));
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidModel);
}

TEST(SessionErrors, MissingFile) {
  auto s = Session::open("/nonexistent/model.onnx");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find("/nonexistent/model.onnx"), std::string::npos);
}

TEST(SessionErrors, UnsupportedOpNamesNodeAndOp) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.node("FancyOp", {"x"}, {"y"}, "com.example");
  b.output("y", onnx::TensorProto::FLOAT, {4});
  auto* op = b.proto().add_opset_import();
  op->set_domain("com.example");
  op->set_version(1);
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().message().find("FancyOp"), std::string::npos) << s.status().to_string();
  EXPECT_NE(s.status().message().find("com.example"), std::string::npos) << s.status().to_string();
}

TEST(SessionErrors, DanglingInputName) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.node("Add", {"x", "nowhere"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.status().message().find("nowhere"), std::string::npos) << s.status().to_string();
}

TEST(SessionErrors, CycleIsRejected) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.node("Add", {"x", "b"}, {"a"});
  b.node("Relu", {"a"}, {"b"});
  b.output("b", onnx::TensorProto::FLOAT, {4});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("cycle"), std::string::npos) << s.status().to_string();
}

TEST(SessionErrors, WrongInputShapeNamesInput) {
  auto s = Session::open_from_bytes(relu_model());
  ASSERT_TRUE(s.is_ok());
  auto out = (*s)->run({{"x", filled({2, 5}, 1.0f)}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("'x'"), std::string::npos) << out.status().to_string();
  EXPECT_NE(out.status().message().find("[2,5]"), std::string::npos) << out.status().to_string();
}

TEST(SessionErrors, WrongInputDtype) {
  auto s = Session::open_from_bytes(relu_model());
  ASSERT_TRUE(s.is_ok());
  auto out = (*s)->run({{"x", Tensor::allocate(DataType::kInt64, {1, 4})}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("float32"), std::string::npos) << out.status().to_string();
}

TEST(SessionErrors, MissingAndUnknownInputs) {
  auto s = Session::open_from_bytes(relu_model());
  ASSERT_TRUE(s.is_ok());
  auto missing = (*s)->run({});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("'x' is missing"), std::string::npos);
  auto unknown = (*s)->run({{"x", filled({1, 4}, 1)}, {"z", filled({1, 4}, 1)}});
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

TEST(SessionErrors, InitializerSizeMismatch) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.initializer("w", {4}, {1, 2, 3});  // 3 values for 4 elements
  b.node("Add", {"x", "w"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.status().message().find("'w'"), std::string::npos) << s.status().to_string();
}

TEST(SessionErrors, HugeInitializerIsRefused) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {1000000, 1000000, 1000}) t->add_dims(d);  // 4e15 bytes
  b.node("Add", {"x", "w"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kResourceExhausted) << s.status().to_string();
}

TEST(SessionErrors, BadThreadCount) {
  SessionOptions options;
  options.num_threads = 0;
  auto s = Session::open_from_bytes(relu_model(), options);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace parallax
