// Region residency and asynchronous device steps (backends/opencl/
// device_kernel.h): values passed between device nodes stay on the device,
// transfers happen only where a value crosses to the CPU or to the caller,
// a device node that falls back to the CPU fetches what only the device
// had, and dataflow runs (device steps ending in event callbacks while CPU
// branches run) give the same outputs as sequential runs and as the CPU.
// Skipped without an OpenCL device.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>

#include "model_builder.h"
#include "opencl_test_util.h"
#ifdef PARALLAX_HAVE_OPENCL
#include "backends/opencl/cl_runtime.h"
#include "backends/opencl/opencl_backend.h"
#endif

namespace parallax::testing {
namespace {

// "w3". Built with snprintf: GCC 12 warns (-Wrestrict, a false positive,
// PR 105651) on "w" + std::to_string(i) inlined into a test body.
std::string indexed(const char* prefix, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%d", prefix, i);
  return buf;
}

struct RunResult {
  std::vector<Tensor> outputs;
  AcceleratorCounters counts;  // of the last run only
};

// Where a model runs: the CPU only, or the device with these settings.
using Device = std::optional<OpenClOptions>;
constexpr std::nullopt_t kCpuOnly = std::nullopt;

// Runs `model` `runs` times; the counters are those of the last run.
RunResult run(const std::string& model, const std::vector<NamedTensor>& inputs, const Device& device,
              ExecutionMode mode = ExecutionMode::kSequential, int threads = 1, int runs = 1) {
  SessionOptions options;
  options.num_threads = threads;
  options.mode = mode;
  options.adapt_schedule = false;
  options.check_memory = true;
  if (device) options.accelerator = Accelerator::kOpenCL, options.offload = "all", options.opencl = *device;
  auto session = Session::open_from_bytes(model, options);
  EXPECT_TRUE(session.is_ok()) << session.status().to_string();
  RunResult r;
  if (!session.is_ok()) return r;
  for (int i = 0; i < runs; ++i) {
    const AcceleratorCounters before = (*session)->accelerator_counters();
    auto out = (*session)->run(inputs);
    EXPECT_TRUE(out.is_ok()) << out.status().to_string();
    if (!out.is_ok()) return r;
    const AcceleratorCounters after = (*session)->accelerator_counters();
    r.outputs = std::move(*out);
    r.counts = after - before;
  }
  return r;
}

std::vector<float> values(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(static_cast<int>(i % 7) - 3);
  return v;
}

class OpenCLResidency : public ::testing::Test {
 protected:
  void SetUp() override { PX_SKIP_WITHOUT_OPENCL(); }
  // These tests count copies: as on a device with memory of its own.
  const OpenClOptions copies_{.zero_copy = ZeroCopy::kOff};
  std::mt19937 rng_{99};
};

// Views of host memory instead of copies: only where the device shares it.
class OpenCLZeroCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    PX_SKIP_WITHOUT_OPENCL();
#ifdef PARALLAX_HAVE_OPENCL
    if (!opencl_runtime(*opencl_backend())->host_unified())
      GTEST_SKIP() << "the OpenCL device does not share host memory";
#endif
  }
  const OpenClOptions views_{.zero_copy = ZeroCopy::kOn};
  std::mt19937 rng_{99};
};

// Relu (device) -> Exp (CPU) -> Sigmoid (device) -> Add(., r) (device): r
// is read by the CPU and by the device.
std::string cross_model() {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {3, 32});
  b.node("Relu", {"x"}, {"r"});
  b.node("Exp", {"r"}, {"e"});
  b.node("Sigmoid", {"e"}, {"s"});
  b.node("Add", {"s", "r"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {3, 32});
  return b.bytes();
}

// Two device chains and a CPU chain between a split and a merge; b1 is
// also a graph output.
std::string split_merge_model() {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4, 256});
  b.initializer("w", {256, 256}, values(256 * 256, 0.01f));
  b.node("Relu", {"x"}, {"a0"});
  b.node("MatMul", {"a0", "w"}, {"a1"});
  b.node("Sigmoid", {"a1"}, {"a2"});
  b.node("Exp", {"x"}, {"b0"});
  b.node("Neg", {"b0"}, {"b1"});
  b.node("Abs", {"b1"}, {"b2"});
  b.node("Tanh", {"x"}, {"c0"});
  b.node("MatMul", {"c0", "w"}, {"c1"});
  b.node("Add", {"a2", "b2"}, {"m"});
  b.node("Mul", {"m", "c1"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4, 256});
  b.output("b1", onnx::TensorProto::FLOAT, {4, 256});
  return b.bytes();
}

// x -> Relu -> Sigmoid -> Add(., c) -> Tanh -> y: four device nodes, one
// upload (x) and one download (y) per run; node by node it would be four each.
TEST_F(OpenCLResidency, ChainCopiesOnlyAtItsBoundary) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 64});
  b.initializer("c", {64}, values(64, 0.25f));
  b.node("Relu", {"x"}, {"a"});
  b.node("Sigmoid", {"a"}, {"s"});
  b.node("Add", {"s", "c"}, {"t"});
  b.node("Tanh", {"t"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2, 64});
  std::vector<NamedTensor> in{{"x", random_tensor({2, 64}, rng_)}};
  RunResult cpu = run(b.bytes(), in, kCpuOnly);
  RunResult dev = run(b.bytes(), in, copies_, ExecutionMode::kSequential, 1, 2);
  EXPECT_TRUE(all_close(cpu.outputs, dev.outputs, 1e-5, 1e-6));
  EXPECT_EQ(dev.counts.nodes, 4u);
  EXPECT_EQ(dev.counts.transfers_to_device, 1u);
  EXPECT_EQ(dev.counts.bytes_to_device, 2u * 64 * 4);
  EXPECT_EQ(dev.counts.transfers_from_device, 1u);
  EXPECT_EQ(dev.counts.bytes_from_device, 2u * 64 * 4);
}

// x read by three device nodes, and e (made on the CPU) by two reads of one
// node and one of another: one upload each per run, on every run.
TEST_F(OpenCLResidency, HostValueReadBySeveralDeviceNodesIsUploadedOnce) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {8, 32});
  b.node("Relu", {"x"}, {"a"});
  b.node("Sigmoid", {"x"}, {"s"});
  b.node("Tanh", {"x"}, {"t"});
  b.node("Exp", {"a"}, {"e"});  // CPU
  b.node("Mul", {"e", "e"}, {"m"});
  b.node("Add", {"m", "e"}, {"p"});
  b.node("Add", {"s", "t"}, {"q"});
  b.node("Add", {"p", "q"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {8, 32});
  std::vector<NamedTensor> in{{"x", random_tensor({8, 32}, rng_, -1.0f, 1.0f)}};
  RunResult cpu = run(b.bytes(), in, kCpuOnly);
  for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kDataflow}) {
    RunResult dev = run(b.bytes(), in, copies_, mode, 2, 3);
    EXPECT_TRUE(all_close(cpu.outputs, dev.outputs, 1e-5, 1e-6));
    EXPECT_EQ(dev.counts.nodes, 7u);
    EXPECT_EQ(dev.counts.transfers_to_device, 2u);    // x, e
    EXPECT_EQ(dev.counts.transfers_from_device, 2u);  // a for Exp, y
  }
  // Each run uploads anew: a second input gives the second answer.
  std::vector<NamedTensor> in2{{"x", random_tensor({8, 32}, rng_, -1.0f, 1.0f)}};
  RunResult cpu2 = run(b.bytes(), in2, kCpuOnly);
  SessionOptions o;
  o.accelerator = Accelerator::kOpenCL, o.offload = "all", o.opencl = copies_;
  auto session = Session::open_from_bytes(b.bytes(), o);
  ASSERT_TRUE(session.is_ok());
  ASSERT_TRUE((*session)->run(in).is_ok());
  auto second = (*session)->run(in2);
  ASSERT_TRUE(second.is_ok());
  EXPECT_TRUE(all_close(cpu2.outputs, *second, 1e-5, 1e-6));
}

// Relu (device) -> Exp (CPU) -> Sigmoid (device), and Relu's output also
// read by the device Add: Relu's output is downloaded once for Exp and read
// in place by Add; Exp's output is uploaded once for Sigmoid.
TEST_F(OpenCLResidency, CopiesWhereValuesCrossToTheCpu) {
  const std::string model = cross_model();
  std::vector<NamedTensor> in{{"x", random_tensor({3, 32}, rng_, -1.0f, 1.0f)}};
  RunResult cpu = run(model, in, kCpuOnly);
  RunResult dev = run(model, in, copies_);
  EXPECT_TRUE(all_close(cpu.outputs, dev.outputs, 1e-5, 1e-6));
  EXPECT_EQ(dev.counts.nodes, 3u);
  EXPECT_EQ(dev.counts.transfers_to_device, 2u);    // x, e
  EXPECT_EQ(dev.counts.transfers_from_device, 2u);  // r for Exp, y
}

// Relu (device) feeds a MatMul whose 1-D operand the device code leaves to
// the CPU kernel: the fallback must fetch Relu's output, which no CPU node
// was known to read.
TEST_F(OpenCLResidency, FallbackFetchesDeviceOnlyInputs) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {16});
  b.initializer("w", {16, 8}, values(16 * 8, 0.1f));
  b.node("Relu", {"x"}, {"r"});
  b.node("MatMul", {"r", "w"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {8});
  std::vector<NamedTensor> in{{"x", random_tensor({16}, rng_)}};
  RunResult cpu = run(b.bytes(), in, kCpuOnly);
  RunResult dev = run(b.bytes(), in, copies_, ExecutionMode::kSequential, 1, 2);
  EXPECT_TRUE(all_close(cpu.outputs, dev.outputs, 1e-5, 1e-6));
  EXPECT_EQ(dev.counts.nodes, 1u);
  EXPECT_EQ(dev.counts.cpu_fallbacks, 1u);
  EXPECT_EQ(dev.counts.transfers_from_device, 1u);  // the fetch of r
}

// split_merge_model(), run in
// dataflow mode on 2 and 4 threads: device steps end in event callbacks
// while CPU steps run. Same outputs as sequential runs, as the CPU, and from
// run to run (the arena is reused; the memory checker is on).
TEST_F(OpenCLResidency, DataflowEqualsSequentialAndCpu) {
  const std::string model = split_merge_model();
  std::vector<NamedTensor> in{{"x", random_tensor({4, 256}, rng_, -1.0f, 1.0f)}};
  RunResult cpu = run(model, in, kCpuOnly);
  RunResult seq = run(model, in, copies_, ExecutionMode::kSequential, 2, 3);
  EXPECT_TRUE(all_close(cpu.outputs, seq.outputs, 1e-4, 1e-5));
  for (int threads : {2, 4}) {
    RunResult df = run(model, in, copies_, ExecutionMode::kDataflow, threads, 5);
    EXPECT_TRUE(all_close(seq.outputs, df.outputs, 0, 0)) << threads << " threads";
    EXPECT_EQ(df.counts.nodes, seq.counts.nodes);
    EXPECT_EQ(df.counts.transfers_to_device, seq.counts.transfers_to_device);
    EXPECT_EQ(df.counts.transfers_from_device, seq.counts.transfers_from_device);
  }
}

// Four MatMul branches in dataflow mode on 4 threads, run after run: device
// GEMMs are enqueued from several threads at once (CLBlast, where present,
// is not safe for that by itself: clblast_gemm serialises it).
TEST_F(OpenCLResidency, ConcurrentMatMulsInDataflow) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {32, 64});
  std::vector<std::string> branch;
  for (int i = 0; i < 4; ++i) {
    const std::string w = indexed("w", i), m = indexed("m", i);
    b.initializer(w, {64, 64}, values(64 * 64, 0.01f * static_cast<float>(i + 1)));
    b.node("MatMul", {"x", w}, {m});
    branch.push_back(m);
  }
  b.node("Add", {branch[0], branch[1]}, {"s0"});
  b.node("Add", {branch[2], branch[3]}, {"s1"});
  b.node("Add", {"s0", "s1"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {32, 64});
  std::vector<NamedTensor> in{{"x", random_tensor({32, 64}, rng_)}};
  RunResult cpu = run(b.bytes(), in, kCpuOnly);
  for (int session = 0; session < 10; ++session) {
    RunResult df = run(b.bytes(), in, copies_, ExecutionMode::kDataflow, 4, 10);
    EXPECT_TRUE(all_close(cpu.outputs, df.outputs, 1e-4, 1e-5));
    EXPECT_EQ(df.counts.nodes, 7u);
  }
}

// A chain of 8 device nodes over 1 MiB values: the 7 values between them
// live only on the device, and each goes back to the pool once its reader
// has enqueued its kernel, so two buffers serve them all. Held for the
// session's life they would take 7 MiB more; a second run takes nothing new.
TEST_F(OpenCLResidency, DeviceOnlyValuesShareThePoolsBuffers) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {256, 1024});
  const char* ops[] = {"Relu", "Sigmoid", "Tanh", "Relu", "Sigmoid", "Tanh", "Relu", "Sigmoid"};
  std::string prev = "x";
  for (int i = 0; i < 8; ++i) {
    const std::string out = i == 7 ? std::string("y") : indexed("v", i);
    b.node(ops[i], {prev}, {out});
    prev = out;
  }
  b.output("y", onnx::TensorProto::FLOAT, {256, 1024});
  std::vector<NamedTensor> in{{"x", random_tensor({256, 1024}, rng_)}};
  RunResult cpu = run(b.bytes(), in, kCpuOnly);
  SessionOptions o;
  o.accelerator = Accelerator::kOpenCL, o.offload = "all", o.adapt_schedule = false, o.opencl = copies_;
  auto session = Session::open_from_bytes(b.bytes(), o);
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  const size_t before = (*session)->accelerator_counters().device_bytes;
  auto first = (*session)->run(in);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  const size_t after_first = (*session)->accelerator_counters().device_bytes;
  auto second = (*session)->run(in);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_TRUE(all_close(cpu.outputs, *second, 1e-5, 1e-6));
  constexpr size_t kMiB = size_t{1} << 20;
  // x's upload buffer, y's output buffer, at most two pooled buffers.
  EXPECT_LE(after_first - before, 4 * kMiB + 4096);
  EXPECT_EQ((*session)->accelerator_counters().device_bytes, after_first);
}

// Device memory runs out (OpenClOptions::memory_limit makes it happen on
// any device): nodes whose weights do not fit stay on the CPU when the
// session opens, a node whose activation buffers do not fit falls back to
// the CPU at run time with a warning, and the outputs are still right.
TEST_F(OpenCLResidency, DeviceOutOfMemoryFallsBackToTheCpu) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {64, 256});
  b.initializer("w1", {256, 256}, values(256 * 256, 0.01f));
  b.initializer("w2", {256, 256}, values(256 * 256, 0.02f));
  b.node("MatMul", {"x", "w1"}, {"a"});
  b.node("Relu", {"a"}, {"r"});
  b.node("MatMul", {"r", "w2"}, {"m"});
  b.node("Sigmoid", {"m"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {64, 256});
  std::vector<NamedTensor> in{{"x", random_tensor({64, 256}, rng_)}};
  RunResult cpu = run(b.bytes(), in, kCpuOnly);
  // Room for the first weight (256 KiB) and a little more: the second MatMul's
  // weight does not fit, and the activations (64 KiB each) only partly.
  OpenClOptions limited = copies_;
  limited.memory_limit = 256 * 1024 + 100 * 1024;
  ::testing::internal::CaptureStderr();
  RunResult dev = run(b.bytes(), in, limited, ExecutionMode::kSequential, 1, 2);
  const std::string warnings = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(all_close(cpu.outputs, dev.outputs, 1e-5, 1e-6));
  EXPECT_NE(warnings.find("device memory limit"), std::string::npos) << warnings;
  EXPECT_LT(dev.counts.nodes, 4u) << warnings;
}

// Relu (device) -> Exp (CPU) -> Sigmoid (device) -> Add(., r) (device), as
// in CopiesWhereValuesCrossToTheCpu: no copy at all. x and e are viewed by
// their readers, r and y are written through views of their host tensors,
// and Add views r again (it lives on the host now); s stays on the device.
TEST_F(OpenCLZeroCopy, BoundaryValuesAreViewsNotCopies) {
  const std::string model = cross_model();
  std::vector<NamedTensor> in{{"x", random_tensor({3, 32}, rng_, -1.0f, 1.0f)}};
  RunResult cpu = run(model, in, kCpuOnly);
  RunResult dev = run(model, in, views_, ExecutionMode::kSequential, 1, 2);
  EXPECT_TRUE(all_close(cpu.outputs, dev.outputs, 1e-5, 1e-6));
  EXPECT_EQ(dev.counts.nodes, 3u);
  EXPECT_EQ(dev.counts.transfers_to_device, 0u);
  EXPECT_EQ(dev.counts.transfers_from_device, 0u);
  EXPECT_EQ(dev.counts.host_views, 5u);  // x, r (out), e, r (in), y
}

// Views are made per step and the host tensors they show are reused by the
// arena from run to run and shared with concurrent CPU steps: dataflow runs
// on 2 and 4 threads give exactly the outputs of sequential runs and of
// copies, run after run, with the memory checker on.
TEST_F(OpenCLZeroCopy, DataflowEqualsSequentialAndCopies) {
  const std::string model = split_merge_model();
  std::vector<NamedTensor> in{{"x", random_tensor({4, 256}, rng_, -1.0f, 1.0f)}};
  RunResult cpu = run(model, in, kCpuOnly);
  RunResult seq = run(model, in, views_, ExecutionMode::kSequential, 2, 3);
  EXPECT_TRUE(all_close(cpu.outputs, seq.outputs, 1e-4, 1e-5));
  EXPECT_EQ(seq.counts.transfers_to_device + seq.counts.transfers_from_device, 0u);
  EXPECT_GT(seq.counts.host_views, 0u);
  RunResult copies = run(model, in, OpenClOptions{.zero_copy = ZeroCopy::kOff}, ExecutionMode::kSequential, 2, 2);
  EXPECT_TRUE(all_close(copies.outputs, seq.outputs, 0, 0));
  EXPECT_GT(copies.counts.transfers_to_device, 0u);
  for (int threads : {2, 4}) {
    RunResult df = run(model, in, views_, ExecutionMode::kDataflow, threads, 5);
    EXPECT_TRUE(all_close(seq.outputs, df.outputs, 0, 0)) << threads << " threads";
    EXPECT_EQ(df.counts.host_views, seq.counts.host_views);
  }
}

}  // namespace
}  // namespace parallax::testing
