// Accelerator settings travel in SessionOptions and counters belong to the
// session: names parse into the Accelerator enum, bad settings are errors
// that say what is wrong, two sessions on one device count apart, and the
// CLI's flags map onto the options (accelerator_flags.h). The device parts
// are skipped without an OpenCL device.
#include <gtest/gtest.h>

#include "model_builder.h"
#include "opencl_test_util.h"
#include "tools/accelerator_flags.h"
#ifdef PARALLAX_HAVE_OPENCL
#include "backends/opencl/clblast_gemm.h"
#endif

namespace parallax::testing {
namespace {

// x -> Relu -> Sigmoid -> y: two device nodes.
std::string two_node_model() {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4, 8});
  b.node("Relu", {"x"}, {"r"});
  b.node("Sigmoid", {"r"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4, 8});
  return b.bytes();
}

SessionOptions on_opencl() {
  SessionOptions o;
  o.accelerator = Accelerator::kOpenCL;
  o.offload = "all";  // a calibrated profile on this machine must not change what is offloaded
  return o;
}

TEST(AcceleratorOptions, NamesParse) {
  EXPECT_EQ(parse_accelerator("opencl").value(), Accelerator::kOpenCL);
  for (const char* none : {"", "none", "cpu"}) EXPECT_EQ(parse_accelerator(none).value(), Accelerator::kNone) << none;
  auto bad = parse_accelerator("warp-drive");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("unknown accelerator 'warp-drive' (known: opencl, none)"), std::string::npos)
      << bad.status().message();
  EXPECT_STREQ(accelerator_name(Accelerator::kOpenCL), "opencl");
}

TEST(AcceleratorOptions, CpuSessionCountsNothing) {
  auto s = Session::open_from_bytes(two_node_model(), {});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  std::mt19937 rng(1);
  ASSERT_TRUE((*s)->run({{"x", random_tensor({4, 8}, rng)}}).is_ok());
  EXPECT_EQ((*s)->accelerator(), Accelerator::kNone);
  EXPECT_EQ((*s)->accelerator_counters().nodes, 0u);
  (*s)->reset_accelerator_counters();  // harmless without an accelerator
}

TEST(AcceleratorOptions, EmptyOpNameIsAnError) {
  SessionOptions o = on_opencl();
  o.accelerator_ops = {"Relu", ""};
  auto s = Session::open_from_bytes(two_node_model(), o);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("accelerator_ops names an empty op type"), std::string::npos)
      << s.status().message();
}

#ifdef PARALLAX_HAVE_OPENCL
// Asking for CLBlast in a build without it fails on every machine; with it,
// the session opens wherever the device does.
TEST(AcceleratorOptions, ClBlastOnlyWhereBuilt) {
  SessionOptions o = on_opencl();
  o.opencl.gemm = GemmProvider::kClBlast;
  auto s = Session::open_from_bytes(two_node_model(), o);
  if (opencl::clblast_available()) {
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  } else {
    ASSERT_FALSE(s.is_ok());
    EXPECT_NE(s.status().message().find("no CLBlast"), std::string::npos) << s.status().message();
  }
}
#endif

// Two sessions on the one device: each counts its own nodes, a reset
// touches only its own session, and the weights stay counted.
TEST(AcceleratorOptions, CountersBelongToTheSession) {
  PX_SKIP_WITHOUT_OPENCL();
  auto a = Session::open_from_bytes(two_node_model(), on_opencl());
  auto b = Session::open_from_bytes(two_node_model(), on_opencl());
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ((*a)->accelerator(), Accelerator::kOpenCL);
  std::mt19937 rng(2);
  const std::vector<NamedTensor> in{{"x", random_tensor({4, 8}, rng)}};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*a)->run(in).is_ok());
  ASSERT_TRUE((*b)->run(in).is_ok());
  EXPECT_EQ((*a)->accelerator_counters().nodes, 6u);
  EXPECT_EQ((*b)->accelerator_counters().nodes, 2u);
  (*a)->reset_accelerator_counters();
  EXPECT_EQ((*a)->accelerator_counters().nodes, 0u);
  EXPECT_EQ((*a)->accelerator_counters().dispatches, 0u);
  EXPECT_EQ((*b)->accelerator_counters().nodes, 2u);
  ASSERT_TRUE((*a)->run(in).is_ok());
  const AcceleratorCounters one_run = (*a)->accelerator_counters();
  EXPECT_EQ(one_run.nodes, 2u);
  EXPECT_EQ((one_run - one_run).nodes, 0u);
}

// The session's settings reach its kernels: zero-copy off copies, on views.
TEST(AcceleratorOptions, ZeroCopySettingIsPerSession) {
  PX_SKIP_WITHOUT_OPENCL();
  std::mt19937 rng(3);
  const std::vector<NamedTensor> in{{"x", random_tensor({4, 8}, rng)}};
  AcceleratorCounters copies, views;
  ASSERT_TRUE(run_model(two_node_model(), false, in, "*", 1, {.zero_copy = ZeroCopy::kOff}, &copies).is_ok());
  ASSERT_TRUE(run_model(two_node_model(), false, in, "*", 1, {.zero_copy = ZeroCopy::kOn}, &views).is_ok());
  EXPECT_EQ(copies.transfers_to_device, 1u);
  EXPECT_EQ(copies.host_views, 0u);
  EXPECT_EQ(views.transfers_to_device, 0u);
  EXPECT_GT(views.host_views, 0u);
}

// --accelerator and --accelerator-ops name the flag in their errors; the
// --opencl-* flags become OpenClOptions. (The environment variables are
// tested through the CLI, tests/CMakeLists.txt: cli_env_*.)
TEST(AcceleratorFlags, FlagsMapOntoOptions) {
  SessionOptions o;
  Status bad = tools::apply_accelerator_choice("warp-drive", "", o);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.message().find("--accelerator: unknown accelerator 'warp-drive'"), std::string::npos) << bad.message();
  Status bad_ops = tools::apply_accelerator_choice("opencl", "/nonexistent/ops.txt", o);
  ASSERT_FALSE(bad_ops.is_ok());
  EXPECT_NE(bad_ops.message().find("--accelerator-ops: cannot open op list file '/nonexistent/ops.txt'"),
            std::string::npos)
      << bad_ops.message();
  ASSERT_TRUE(tools::apply_accelerator_choice("opencl", "Relu,Conv", o).is_ok());
  EXPECT_EQ(o.accelerator, Accelerator::kOpenCL);
  EXPECT_EQ(o.accelerator_ops, (std::vector<std::string>{"Conv", "Relu"}));

  tools::OpenClFlags flags{.zero_copy = "off", .memory_limit = "64M", .gemm = "own", .cache_dir = "/tmp/cl"};
  auto cl = tools::opencl_options(flags);
  ASSERT_TRUE(cl.is_ok()) << cl.status().to_string();
  EXPECT_EQ(cl->zero_copy, ZeroCopy::kOff);
  EXPECT_EQ(cl->memory_limit, size_t{64} << 20);
  EXPECT_EQ(cl->gemm, GemmProvider::kOwnKernels);
  EXPECT_EQ(cl->program_cache_dir, std::filesystem::path("/tmp/cl"));
  EXPECT_FALSE(tools::opencl_options({.zero_copy = "sometimes"}).is_ok());
  EXPECT_FALSE(tools::opencl_options({.gemm = "cublas"}).is_ok());
}

}  // namespace
}  // namespace parallax::testing
