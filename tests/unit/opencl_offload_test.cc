// The runtime's delegate pruning (runtime/offload_choice.h) with the real
// OpenCL backend: with "cost" a region goes to the device only when the
// device profile says it pays, "all" takes every supported node, and a bad
// offload rule or profile is an error naming it. Skipped without OpenCL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model_builder.h"
#include "opencl_test_util.h"

namespace parallax::testing {
namespace {

namespace fs = std::filesystem;

// A 256x256x256 MatMul (16.8 M MACs) then a Relu, and a separate tiny Relu
// chain: two candidate regions of very different work.
std::string two_regions() {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {256, 256});
  b.input("z", onnx::TensorProto::FLOAT, {4});
  b.initializer("w", {256, 256}, std::vector<float>(256 * 256, 0.01f));
  b.node("MatMul", {"x", "w"}, {"m"});
  b.node("Relu", {"m"}, {"y"});
  b.node("Exp", {"z"}, {"e"});  // CPU: keeps the regions apart
  b.node("Sigmoid", {"e"}, {"s"});
  b.output("y", onnx::TensorProto::FLOAT, {256, 256});
  b.output("s", onnx::TensorProto::FLOAT, {4});
  return b.bytes();
}

fs::path write_profile(const std::string& name, double accel_macs_per_s) {
  fs::path p = fs::temp_directory_path() / ("parallax_profile_" + name + ".json");
  std::ofstream(p) << R"({"name": ")" << name << R"(", "latency_ms": 0.1, "accel_macs_per_s": )" << accel_macs_per_s
                   << R"(, "bandwidth_bytes_per_s": 1e10, "cpu_macs_per_s": 1e10})";
  return p;
}

struct Opened {
  std::string offload;
  uint64_t device_nodes = 0;
};

Opened open_and_run(const std::string& offload, const fs::path& profile) {
  SessionOptions o;
  o.accelerator = Accelerator::kOpenCL;
  o.offload = offload;
  o.device_profile = profile.string();
  auto s = Session::open_from_bytes(two_regions(), o);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  if (!s.is_ok()) return {};
  std::mt19937 rng(5);
  auto out = (*s)->run({{"x", random_tensor({256, 256}, rng)}, {"z", random_tensor({4}, rng)}});
  EXPECT_TRUE(out.is_ok()) << out.status().to_string();
  return {(*s)->model_info().offload, (*s)->accelerator_counters().nodes};
}

class OpenCLOffload : public ::testing::Test {
 protected:
  void SetUp() override { PX_SKIP_WITHOUT_OPENCL(); }
};

TEST_F(OpenCLOffload, CostModelKeepsOnlyRegionsThatPay) {
  // Device 100x the CPU: the MatMul region pays, the 4-element Sigmoid does not (latency).
  Opened fast = open_and_run("cost", write_profile("fast", 1e12));
  EXPECT_EQ(fast.device_nodes, 2u) << fast.offload;
  EXPECT_NE(fast.offload.find("1 kept"), std::string::npos) << fast.offload;
  // Device slower than the CPU: nothing pays.
  Opened slow = open_and_run("cost", write_profile("slow", 1e9));
  EXPECT_EQ(slow.device_nodes, 0u) << slow.offload;
  EXPECT_NE(slow.offload.find("0 kept"), std::string::npos) << slow.offload;
  // "all" ignores the profile.
  Opened all = open_and_run("all", write_profile("slow", 1e9));
  EXPECT_EQ(all.device_nodes, 3u) << all.offload;
}

TEST_F(OpenCLOffload, BadRuleOrProfileIsAnError) {
  SessionOptions o;
  o.accelerator = Accelerator::kOpenCL;
  o.offload = "sometimes";
  auto s = Session::open_from_bytes(two_regions(), o);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("sometimes"), std::string::npos);
  o.offload = "cost";
  o.device_profile = "/nonexistent/profile.json";
  s = Session::open_from_bytes(two_regions(), o);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("/nonexistent/profile.json"), std::string::npos) << s.status().to_string();
}

}  // namespace
}  // namespace parallax::testing
