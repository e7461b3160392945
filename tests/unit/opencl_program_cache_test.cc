// The OpenCL program cache: a second build of the same source in a new
// cache instance (as in a new process) loads the compiled binary from disk,
// and a source that does not compile gives a Status carrying the build log
// (skipped without an OpenCL device). And the op lists the CLI reads.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "opencl_test_util.h"
#include "tools/op_list.h"

#ifdef PARALLAX_HAVE_OPENCL
#include "backends/opencl/cl_runtime.h"
#include "backends/opencl/opencl_backend.h"
#include "backends/opencl/program_cache.h"
#endif

namespace parallax::testing {
namespace {

#ifdef PARALLAX_HAVE_OPENCL

namespace fs = std::filesystem;
using opencl::ProgramCache;

class OpenCLProgramCache : public ::testing::Test {
 protected:
  void SetUp() override {
    PX_SKIP_WITHOUT_OPENCL();
    rt_ = opencl_runtime(*opencl_backend());
    ASSERT_NE(rt_, nullptr);
    dir_ = fs::temp_directory_path() / ("parallax-opencl-cache-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::shared_ptr<opencl::ClRuntime> rt_;
  fs::path dir_;
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST_F(OpenCLProgramCache, SecondBuildLoadsTheBinaryFromDisk) {
  // A source no other test builds, so the first build really compiles.
  const std::string source = "// cache test " + std::to_string(::getpid()) + R"CL(
__kernel void twice(__global float* x) { int i = get_global_id(0); x[i] = 2.0f * x[i] + sin(x[i]); }
)CL";
  double first_ms = 0, second_ms = 0;
  {
    ProgramCache cache(*rt_, dir_);
    ASSERT_EQ(cache.directory(), dir_);
    auto t0 = std::chrono::steady_clock::now();
    auto p = cache.get(source);
    first_ms = ms_since(t0);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_EQ(cache.stats().source_builds, 1u);
    EXPECT_EQ(cache.stats().disk_writes, 1u);
    EXPECT_TRUE(fs::is_regular_file(cache.binary_path(source, ""))) << cache.binary_path(source, "");
    EXPECT_GT(fs::file_size(cache.binary_path(source, "")), 0u);
    // In the same process: no second build at all.
    ASSERT_TRUE(cache.get(source).is_ok());
    EXPECT_EQ(cache.stats().memory_hits, 1u);
  }
  {
    ProgramCache fresh(*rt_, dir_);  // what a new process sees
    auto t0 = std::chrono::steady_clock::now();
    auto p = fresh.get(source);
    second_ms = ms_since(t0);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_EQ(fresh.stats().disk_hits, 1u);
    EXPECT_EQ(fresh.stats().source_builds, 0u);
    // The loaded binary runs.
    auto k = fresh.kernel(source, "twice");
    ASSERT_TRUE(k.is_ok()) << k.status().to_string();
    clReleaseKernel(*k);
  }
  std::cout << "program build from source " << first_ms << " ms, from the disk cache " << second_ms << " ms ("
            << rt_->device_name() << ", " << rt_->driver_version() << ")\n";
}

TEST_F(OpenCLProgramCache, CorruptBinaryIsRebuilt) {
  const std::string source = "// corrupt test " + std::to_string(::getpid()) + "\n__kernel void k(__global int* x) { x[0] = 1; }\n";
  ProgramCache cache(*rt_, dir_);
  fs::create_directories(dir_);
  { std::ofstream(cache.binary_path(source, ""), std::ios::binary) << "not a binary"; }
  auto p = cache.get(source);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(cache.stats().source_builds, 1u);
  EXPECT_GT(fs::file_size(cache.binary_path(source, "")), std::string("not a binary").size());
}

TEST_F(OpenCLProgramCache, BuildFailureCarriesTheBuildLog) {
  ProgramCache cache(*rt_, dir_);
  auto p = cache.get("__kernel void broken(__global float* x) { x[0] = undeclared_name; }\n");
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = p.status().message();
  EXPECT_NE(msg.find("failed to build"), std::string::npos) << msg;
  EXPECT_NE(msg.find("build log"), std::string::npos) << msg;
  EXPECT_NE(msg.find("undeclared_name"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir_) && !fs::is_empty(dir_)) << "a failed build must not be cached";
}

#endif  // PARALLAX_HAVE_OPENCL

TEST(OpenCLBackend, OpListParsing) {
  using tools::parse_op_list;
  auto ops = parse_op_list("Conv,Relu, Add");
  ASSERT_TRUE(ops.is_ok());
  EXPECT_EQ(*ops, (std::set<std::string>{"Add", "Conv", "Relu"}));
  auto file = parse_op_list(std::string(PX_SOURCE_DIR) + "/src/backends/opencl/tflite_gpu_ops.txt");
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  EXPECT_TRUE(file->count("Conv") && file->count("Softmax") && file->count("Concat"));
  EXPECT_FALSE(file->count("NonMaxSuppression") || file->count("TopK") || file->count("LeakyRelu"));
  EXPECT_FALSE(parse_op_list("/nonexistent/ops.txt").is_ok());
  EXPECT_FALSE(parse_op_list(" , ").is_ok());
}

}  // namespace
}  // namespace parallax::testing
