// Weights kept in external data files load from the model's folder, and a
// path that climbs out of it is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

namespace fs = std::filesystem;

// Writes model.onnx whose initializer "w" (4 floats) lives in `location`.
fs::path write_model(const fs::path& dir, const std::string& location) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(4);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = t->add_external_data();
  kv->set_key("location");
  kv->set_value(location);
  b.node("Add", {"x", "w"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  fs::create_directories(dir);
  std::ofstream(dir / "model.onnx", std::ios::binary) << b.bytes();
  return dir / "model.onnx";
}

class ExternalData : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("parallax_ext_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "model");
    const float w[4] = {1, 2, 3, 4};
    std::ofstream(root_ / "model" / "weights.bin", std::ios::binary).write(reinterpret_cast<const char*>(w), sizeof w);
    std::ofstream(root_ / "secret.bin", std::ios::binary).write(reinterpret_cast<const char*>(w), sizeof w);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(ExternalData, LoadsWeightsBesideTheModel) {
  auto s = Session::open(write_model(root_ / "model", "weights.bin"));
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {4});
  auto out = (*s)->run({{"x", x}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data<float>()[3], 4.0f);
}

TEST_F(ExternalData, RefusesPathsOutsideTheModelFolder) {
  auto s = Session::open(write_model(root_ / "model", "../secret.bin"));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("escapes the model's folder"), std::string::npos) << s.status().to_string();
  auto abs = Session::open(write_model(root_ / "model", (root_ / "secret.bin").string()));
  ASSERT_FALSE(abs.is_ok());
  EXPECT_NE(abs.status().message().find("absolute"), std::string::npos) << abs.status().to_string();
}

TEST_F(ExternalData, MissingFileIsAnError) {
  auto s = Session::open(write_model(root_ / "model", "nothere.bin"));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("nothere.bin"), std::string::npos) << s.status().to_string();
}

}  // namespace
}  // namespace parallax
