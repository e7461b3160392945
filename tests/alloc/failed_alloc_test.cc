// Out of memory anywhere in Session::open or Session::run is an error Status,
// never an exception out of the API nor the end of the process (an exception
// on a pool worker would be): every allocation of an open and a run, one
// after another, is made to fail (alloc_hooks.h), sequentially and in
// dataflow mode with workers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../unit/model_builder.h"
#include "alloc_hooks.h"
#include "parallax/session.h"

namespace parallax {
namespace {

// Two branches (Conv -> Relu, Softmax -> Neg) that meet at an Add.
std::string two_branch_model() {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 4, 8, 8});
  b.initializer("w", {4, 4, 3, 3}, std::vector<float>(4 * 4 * 3 * 3, 0.125f));
  auto* conv = b.node("Conv", {"x", "w"}, {"c"});
  auto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int i = 0; i < 4; ++i) pads->add_ints(1);
  b.node("Relu", {"c"}, {"r"});
  b.node("Softmax", {"x"}, {"s"});
  b.node("Neg", {"s"}, {"n"});
  b.node("Add", {"r", "n"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1, 4, 8, 8});
  return b.bytes();
}

// Opens and runs once; the Status of whichever failed first. The test's
// own allocations happen before: only the runtime's may fail.
Status open_and_run(const std::string& model, const SessionOptions& options, const std::vector<NamedTensor>& feeds) {
  auto session = Session::open_from_bytes(model, options);
  if (!session.is_ok()) return session.status();
  return (*session)->run(feeds).status();
}

void every_allocation_fails_cleanly(const SessionOptions& options) {
  const std::string model = two_branch_model();
  const std::vector<NamedTensor> feeds = {{"x", Tensor::allocate(DataType::kFloat32, {1, 4, 8, 8})}};
  alloc_hooks::start_counting();
  ASSERT_TRUE(open_and_run(model, options, feeds).is_ok());
  const size_t allocations = alloc_hooks::stop_counting();
  ASSERT_GT(allocations, 0u);
  size_t fired = 0, out_of_memory = 0;
  for (size_t n = 1; n <= allocations; ++n) {
    alloc_hooks::fail_nth(n);
    Status s;
    EXPECT_NO_THROW(s = open_and_run(model, options, feeds)) << "allocation " << n << " of " << allocations;
    const bool failed = alloc_hooks::fired();
    alloc_hooks::fail_nth(0);
    if (!s.is_ok()) {
      EXPECT_FALSE(s.message().empty()) << "allocation " << n;
    }
    // The first open counted one-time work (registries, caches): later ones
    // allocate less, and a countdown past their end never fires.
    if (!failed) continue;
    ++fired;
    if (s.code() == StatusCode::kResourceExhausted) ++out_of_memory;
  }
  // Nearly every failure is reported as what it is; a few are absorbed (a
  // kernel falls back to a path that needs less).
  EXPECT_GT(fired, 100u);
  EXPECT_GE(out_of_memory * 10, fired * 9) << out_of_memory << " of " << fired << " failed allocations";
  // And nothing is left broken: the next open and run succeed.
  EXPECT_TRUE(open_and_run(model, options, feeds).is_ok());
}

TEST(OutOfMemory, EveryAllocationOfASequentialRunFailsCleanly) {
  SessionOptions options;
  options.mode = ExecutionMode::kSequential;
  every_allocation_fails_cleanly(options);
}

TEST(OutOfMemory, EveryAllocationOfADataflowRunFailsCleanly) {
  SessionOptions options;
  options.num_threads = 2;
  options.mode = ExecutionMode::kDataflow;
  options.adapt_schedule = false;
  every_allocation_fails_cleanly(options);
}

}  // namespace
}  // namespace parallax
