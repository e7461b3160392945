// run(inputs, output_names) computes only what the named outputs depend on:
// the other branch's nodes do not run, and the outputs that are computed
// equal those of a run that asks for everything.
#include <gtest/gtest.h>

#include <string>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

// x -> Relu -> Sigmoid -> "a";  x -> Neg -> "b";  x and Neg share no node.
std::string two_branch_model() {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3});
  b.node("Relu", {"x"}, {"r"});
  b.node("Sigmoid", {"r"}, {"a"});
  b.node("Neg", {"x"}, {"b"});
  b.output("a", onnx::TensorProto::FLOAT, {2, 3});
  b.output("b", onnx::TensorProto::FLOAT, {2, 3});
  return b.bytes();
}

Tensor input() {
  Tensor x = Tensor::allocate(DataType::kFloat32, {2, 3});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i) - 2.5f;
  return x;
}

class RequestedOutputs : public ::testing::TestWithParam<ExecutionMode> {};

TEST_P(RequestedOutputs, OnlyTheirNodesRun) {
  SessionOptions options;
  options.mode = GetParam();
  options.adapt_schedule = false;  // dataflow runs dataflow, not the trial's sequential arm first
  options.num_threads = 2;
  options.profile = true;  // counts the ops that ran
  auto s = Session::open_from_bytes(two_branch_model(), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto all = (*s)->run({{"x", input()}});
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  EXPECT_EQ((*s)->last_run_stats().nodes_run, 3u);

  for (int repeat = 0; repeat < 2; ++repeat) {  // the second run reuses the cached plan
    auto only_b = (*s)->run({{"x", input()}}, {"b"});
    ASSERT_TRUE(only_b.is_ok()) << only_b.status().to_string();
    ASSERT_EQ(only_b->size(), 1u);
    EXPECT_EQ((*s)->last_run_stats().nodes_run, 1u);
    for (int64_t i = 0; i < 6; ++i) EXPECT_EQ((*only_b)[0].data<float>()[i], (*all)[1].data<float>()[i]);
  }
  int64_t relu_calls = 0, neg_calls = 0;
  for (const OpProfileEntry& e : (*s)->op_profile()) {
    if (e.op == "Relu") relu_calls = e.calls;
    if (e.op == "Neg") neg_calls = e.calls;
  }
  EXPECT_EQ(relu_calls, 1);  // only the run that asked for everything
  EXPECT_EQ(neg_calls, 3);

  auto reversed = (*s)->run({{"x", input()}}, {"a", "b"});
  ASSERT_TRUE(reversed.is_ok()) << reversed.status().to_string();
  EXPECT_EQ((*s)->last_run_stats().nodes_run, 3u);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ((*reversed)[0].data<float>()[i], (*all)[0].data<float>()[i]);
}

TEST_P(RequestedOutputs, UnknownNameIsRefusedBeforeRunning) {
  SessionOptions options;
  options.mode = GetParam();
  options.adapt_schedule = false;
  auto s = Session::open_from_bytes(two_branch_model(), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto bad = (*s)->run({{"x", input()}}, {"b", "c"});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("'c'"), std::string::npos) << bad.status().message();
  EXPECT_EQ((*s)->last_run_stats().nodes_run, 0u);  // nothing ran
}

INSTANTIATE_TEST_SUITE_P(Modes, RequestedOutputs,
                         ::testing::Values(ExecutionMode::kSequential, ExecutionMode::kLayer, ExecutionMode::kDataflow),
                         [](const auto& info) { return std::string(execution_mode_name(info.param)); });

}  // namespace
}  // namespace parallax
