// A Program keeps plans for at most kMaxCachedPlans input shapes; a shape
// whose plan was dropped plans again and computes the same outputs.
#include <gtest/gtest.h>

#include "format/onnx_loader.h"
#include "model_builder.h"
#include "runtime/program.h"

namespace parallax {
namespace {

Tensor ramp(int64_t n) {
  Tensor x = Tensor::allocate(DataType::kFloat32, {n, 3});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  return x;
}

TEST(PlanCache, KeepsTheMostRecentShapesAndReplansDroppedOnes) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {-1, 3});
  b.node("Relu", {"x"}, {"r"});
  b.node("Neg", {"r"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, 3});
  auto model = load_model_from_bytes(b.bytes(), {}, {});
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  auto program = Program::compile((*model)->graph, {.num_threads = 2, .mode = ExecutionMode::kDataflow});
  ASSERT_TRUE(program.is_ok()) << program.status().to_string();
  Program& p = **program;

  const int64_t shapes = static_cast<int64_t>(Program::kMaxCachedPlans) + 40;
  for (int round = 0; round < 2; ++round) {  // the second round finds the first shapes dropped
    for (int64_t n = 1; n <= shapes; ++n) {
      std::vector<Tensor> inputs = {ramp(n)};
      auto out = p.run(inputs, {});
      ASSERT_TRUE(out.is_ok()) << out.status().to_string();
      ASSERT_EQ((*out)[0].shape(), (Shape{n, 3}));
      for (int64_t i = 0; i < 3 * n; ++i) {
        const float x = static_cast<float>(i % 7) - 3.0f;
        ASSERT_EQ((*out)[0].data<float>()[i], -(x > 0 ? x : 0.0f)) << n << " at " << i;
      }
      EXPECT_LE(p.cached_plans(), Program::kMaxCachedPlans);
    }
  }
  EXPECT_EQ(p.cached_plans(), Program::kMaxCachedPlans);
}

}  // namespace
}  // namespace parallax
