// The runtime's delegate pruning (runtime/offload_choice.h) with the real
// OpenCL backend: with "cost" a region goes to the device only when the
// device profile says it pays, "all" takes every supported node, and a bad
// offload rule or profile is an error naming it. Skipped without OpenCL.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <tuple>
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

// x -> Conv -> Relu -> Conv -> Add(x) -> y, the Add on the device: the two
// Convs stay on the CPU and get the CPU's own passes (channels-last, the Relu
// fused), although the session has an accelerator; the outputs equal a
// CPU-only session's.
TEST_F(OpenCLOffload, CpuNodesBesideTheDeviceRunChannelsLast) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 8, 12, 12});
  std::mt19937 rng(7);
  for (const char* w : {"w1", "w2"}) {
    Tensor t = random_tensor({8, 8, 3, 3}, rng, -0.2f, 0.2f);
    b.initializer(w, {8, 8, 3, 3}, std::vector<float>(t.data<float>(), t.data<float>() + t.numel()));
  }
  for (auto [in, w, out] : {std::tuple{"x", "w1", "c1"}, std::tuple{"r1", "w2", "c2"}}) {
    auto* conv = b.node("Conv", {in, w}, {out});
    auto* pads = conv->add_attribute();
    pads->set_name("pads");
    pads->set_type(onnx::AttributeProto::INTS);
    for (int k = 0; k < 4; ++k) pads->add_ints(1);
  }
  b.node("Relu", {"c1"}, {"r1"});
  b.node("Add", {"c2", "x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1, 8, 12, 12});
  const std::vector<NamedTensor> in{{"x", random_tensor({1, 8, 12, 12}, rng)}};

  SessionOptions cpu_only, beside;
  beside.accelerator = Accelerator::kOpenCL;
  beside.accelerator_ops = {"Add"};
  beside.offload = "all";
  beside.profile = true;
  auto cpu = Session::open_from_bytes(b.bytes(), cpu_only);
  auto dev = Session::open_from_bytes(b.bytes(), beside);
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
  auto want = (*cpu)->run(in);
  auto got = (*dev)->run(in);
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_TRUE(all_close(*want, *got, 1e-4, 1e-5));
  EXPECT_EQ((*dev)->accelerator_counters().nodes, 1u);
  std::vector<std::string> ops;
  for (const OpProfileEntry& e : (*dev)->op_profile()) ops.push_back(e.op);
  EXPECT_NE(std::find(ops.begin(), ops.end(), "NhwcConv+Relu"), ops.end()) << ::testing::PrintToString(ops);
  EXPECT_NE(std::find(ops.begin(), ops.end(), "NhwcConv"), ops.end()) << ::testing::PrintToString(ops);
}

}  // namespace
}  // namespace parallax::testing
