// Steady-state runs allocate nothing per op: the executor binds a plan's
// values once (runtime/execution_frame.h), so a run of a graph with static
// shapes allocates the same number of times however many ops it has (its
// inputs, outputs and the run's own bookkeeping, not one thing per step).
//
// Counted by the global operator new of this test executable (alloc_hooks.h).
#include <gtest/gtest.h>

#include <string>

#include "../unit/model_builder.h"
#include "alloc_hooks.h"
#include "parallax/session.h"

namespace parallax {
namespace {

// x -> `ops` elementwise steps -> y, all shapes static. Two chains joined at
// the end, so that dataflow mode has branches to run side by side.
// "a3": built by appending (GCC 12 warns -Wrestrict, wrongly, on "a" + string).
std::string name(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

std::string chain_model(int ops) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 256});
  std::string a = "x", c = "x";
  for (int i = 0; i < ops / 2; ++i) {
    b.node(i % 2 ? "Relu" : "Neg", {a}, {name("a", i)});
    b.node(i % 2 ? "Neg" : "Relu", {c}, {name("c", i)});
    a = name("a", i);
    c = name("c", i);
  }
  b.node("Add", {a, c}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1, 256});
  return b.bytes();
}

// Allocations of one run, after warm-up runs have built every plan and cache.
size_t allocations_per_run(int ops, const SessionOptions& options) {
  auto session = Session::open_from_bytes(chain_model(ops), options);
  EXPECT_TRUE(session.is_ok()) << session.status().to_string();
  if (!session.is_ok()) return 0;
  Tensor x = Tensor::allocate(DataType::kFloat32, {1, 256});
  const std::vector<NamedTensor> feeds = {{"x", x}};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE((*session)->run(feeds).is_ok());
  size_t fewest = SIZE_MAX;
  // The fewest of several runs: a pool worker's first wake-up or a cache
  // line of the OS is not the executor's doing.
  for (int i = 0; i < 5; ++i) {
    alloc_hooks::start_counting();
    auto out = (*session)->run(feeds);
    const size_t counted = alloc_hooks::stop_counting();
    EXPECT_TRUE(out.is_ok());
    fewest = std::min(fewest, counted);
  }
  return fewest;
}

TEST(SteadyState, SequentialRunAllocatesNothingPerOp) {
  SessionOptions options;
  options.mode = ExecutionMode::kSequential;
  const size_t few = allocations_per_run(8, options), many = allocations_per_run(64, options);
  EXPECT_EQ(few, many) << "8 ops: " << few << " allocations per run, 64 ops: " << many;
}

TEST(SteadyState, DataflowRunAllocatesNothingPerOp) {
  SessionOptions options;
  options.num_threads = 2;
  options.mode = ExecutionMode::kDataflow;
  options.adapt_schedule = false;
  const size_t few = allocations_per_run(8, options), many = allocations_per_run(64, options);
  EXPECT_EQ(few, many) << "8 ops: " << few << " allocations per run, 64 ops: " << many;
}

}  // namespace
}  // namespace parallax
