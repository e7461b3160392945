// Dropout that drops nothing is removed and its readers read its input:
// PyTorch exports inference as training_mode a constant false, and
// torchvision's Swin its attention dropout as training_mode a constant true
// with ratio a constant 0.
#include <gtest/gtest.h>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

void expect_dropout_removed(float ratio, bool training_mode) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3});
  b.initializer("ratio", {}, {ratio});
  auto* mode = b.proto().mutable_graph()->add_initializer();
  mode->set_name("training_mode");
  mode->set_data_type(onnx::TensorProto::BOOL);
  mode->add_int32_data(training_mode ? 1 : 0);
  b.node("Dropout", {"x", "ratio", "training_mode"}, {"d"});
  b.node("Relu", {"d"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2, 3});
  SessionOptions options;
  options.profile = true;
  auto s = Session::open_from_bytes(b.bytes(), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {2, 3});
  for (int i = 0; i < 6; ++i) x.data<float>()[i] = static_cast<float>(i) - 2.5f;
  auto y = (*s)->run({{"x", x}});
  ASSERT_TRUE(y.is_ok()) << y.status().to_string();
  for (int i = 0; i < 6; ++i) EXPECT_EQ((*y)[0].data<float>()[i], std::max(0.0f, x.data<float>()[i]));
  for (const auto& e : (*s)->op_profile()) EXPECT_NE(e.op, "Dropout");
}

TEST(RemoveIdentities, DropoutWithConstantFalseTrainingModeIsRemoved) { expect_dropout_removed(0.5f, false); }

TEST(RemoveIdentities, DropoutWithZeroRatioInTrainingModeIsRemoved) { expect_dropout_removed(0.0f, true); }

}  // namespace
}  // namespace parallax
