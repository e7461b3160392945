// Reshape, Squeeze, Unsqueeze and Flatten outputs are views of their input's
// arena bytes (Storage::kArenaView): no copy, no bytes of their own, and the
// owner's bytes live until the view's last reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "format/onnx_loader.h"
#include "model_builder.h"
#include "parallax/session.h"
#include "runtime/program.h"

namespace parallax {
namespace {

// x -> Relu -> a -> Reshape -> b -> Unsqueeze -> c -> Sigmoid -> d (output)
//                \-> Neg -> e (output)      (a is read after its view exists)
std::string view_chain_model() {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3, 4});
  b.initializer_int64("shape", {2}, {6, 4});
  b.initializer_int64("axes", {1}, {0});
  b.node("Relu", {"x"}, {"a"});
  b.node("Reshape", {"a", "shape"}, {"b"});
  b.node("Unsqueeze", {"b", "axes"}, {"c"});
  b.node("Sigmoid", {"c"}, {"d"});
  b.node("Neg", {"a"}, {"e"});
  b.output("d", onnx::TensorProto::FLOAT, {1, 6, 4});
  b.output("e", onnx::TensorProto::FLOAT, {2, 3, 4});
  return b.bytes();
}

Tensor input_x() {
  Tensor x = Tensor::allocate(DataType::kFloat32, {2, 3, 4});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  return x;
}

TEST(ArenaView, ReshapeChainSharesItsOwnersBytes) {
  auto model = load_model_from_bytes(view_chain_model(), {}, {});
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  auto program = Program::compile((*model)->graph, {});
  ASSERT_TRUE(program.is_ok()) << program.status().to_string();
  std::vector<Tensor> inputs = {input_x()};
  auto plan = (*program)->plan_for(inputs, {});
  ASSERT_TRUE(plan.is_ok()) << plan.status().to_string();
  const Graph& g = (*program)->graph();
  auto value = [&](const std::string& name) -> const ValuePlan& {
    for (size_t v = 0; v < g.values.size(); ++v)
      if (g.values[v].name == name) return (*plan)->values[v];
    ADD_FAILURE() << "no value " << name;
    return (*plan)->values[0];
  };
  EXPECT_EQ(value("a").storage, Storage::kArena);
  ASSERT_EQ(value("b").storage, Storage::kArenaView);
  ASSERT_EQ(value("c").storage, Storage::kArenaView);
  // A view of a view shares the first owner's bytes.
  EXPECT_EQ(g.value(value("c").view_of).name, "a");
  EXPECT_EQ(value("c").offset, value("a").offset);
  EXPECT_EQ((*plan)->arena_bytes, (2u * 3 * 4 * 4 + 63) / 64 * 64) << "only a has bytes of its own";
}

TEST(ArenaView, SameBytesInEveryModeWithTheMemoryChecker) {
  const Tensor x = input_x();
  std::vector<Tensor> expected;
  for (int threads : {1, 2}) {
    for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kLayer, ExecutionMode::kDataflow}) {
      SessionOptions o;
      o.num_threads = threads;
      o.mode = mode;
      o.adapt_schedule = false;  // dataflow runs dataflow, not the trial's sequential arm first
      o.check_memory = true;
      auto s = Session::open_from_bytes(view_chain_model(), o);
      ASSERT_TRUE(s.is_ok()) << s.status().to_string();
      for (int run = 0; run < 2; ++run) {
        auto out = (*s)->run({{"x", x}});
        ASSERT_TRUE(out.is_ok()) << out.status().to_string();
        ASSERT_EQ(out->size(), 2u);
        if (expected.empty()) {
          expected = *out;
          // d = sigmoid(relu(x)), e = -relu(x)
          for (int64_t i = 0; i < x.numel(); ++i) {
            const float r = std::max(0.0f, x.data<float>()[i]);
            EXPECT_FLOAT_EQ(expected[0].data<float>()[i], 1.0f / (1.0f + std::exp(-r)));
            EXPECT_EQ(expected[1].data<float>()[i], -r);
          }
          EXPECT_EQ(expected[0].shape(), (Shape{1, 6, 4}));
          continue;
        }
        for (size_t k = 0; k < 2; ++k)
          EXPECT_EQ(std::memcmp((*out)[k].raw(), expected[k].raw(), expected[k].nbytes()), 0)
              << "output " << k << ", " << threads << " threads, " << execution_mode_name(mode);
      }
    }
  }
}

TEST(ArenaView, AViewThatIsAGraphOutputKeepsBytesOfItsOwn) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3});
  b.initializer_int64("shape", {1}, {6});
  b.node("Relu", {"x"}, {"a"});
  b.node("Reshape", {"a", "shape"}, {"y"});
  b.node("Neg", {"a"}, {"z"});
  b.output("y", onnx::TensorProto::FLOAT, {6});
  b.output("z", onnx::TensorProto::FLOAT, {2, 3});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {2, 3});
  for (int i = 0; i < 6; ++i) x.data<float>()[i] = static_cast<float>(i) - 2.5f;
  auto first = (*s)->run({{"x", x}});
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  const std::vector<float> y0((*first)[0].data<float>(), (*first)[0].data<float>() + 6);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y0[i], std::max(0.0f, x.data<float>()[i]));
  // A second run must not write into the first run's outputs.
  for (int i = 0; i < 6; ++i) x.data<float>()[i] = 1.0f;
  auto second = (*s)->run({{"x", x}});
  ASSERT_TRUE(second.is_ok());
  for (int i = 0; i < 6; ++i) EXPECT_EQ((*first)[0].data<float>()[i], y0[i]);
}

}  // namespace
}  // namespace parallax
