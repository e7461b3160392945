// SessionOptions::cpu_cores: core lists parse, bad cores are refused when the
// session opens, and a run's threads stay on the cores given.
#include <gtest/gtest.h>
#include <omp.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/cpu_set.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

TEST(CpuSet, ParsesAndFormatsLinuxCpuLists) {
  auto single = parse_cpu_list("0");
  auto mixed = parse_cpu_list("3,0-1,1");
  ASSERT_TRUE(single.is_ok() && mixed.is_ok());
  EXPECT_EQ(*single, (CpuSet{0}));
  EXPECT_EQ(*mixed, (CpuSet{0, 1, 3}));
  EXPECT_EQ(format_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
  for (const char* bad : {"", "a", "1-", "-1", "2-1", "0,,1", "1 "}) {
    auto c = parse_cpu_list(bad);
    EXPECT_FALSE(c.is_ok()) << bad;
  }
}

TEST(CpuSet, ScopedAffinityRestoresTheThreadsCores) {
  const CpuSet before = allowed_cpus();
  ASSERT_FALSE(before.empty());
  {
    ScopedThreadAffinity pin({before.back()});
    EXPECT_EQ(allowed_cpus(), (CpuSet{before.back()}));
  }
  EXPECT_EQ(allowed_cpus(), before);
}

// Threads of this process whose allowed cores are exactly `list`.
int threads_pinned_to(const std::string& list) {
  int n = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("Cpus_allowed_list:", 0) == 0 && line.substr(line.find_last_of(" \t") + 1) == list) ++n;
  }
  return n;
}

std::string matmul_chain_model() {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {64, 64});
  b.node("MatMul", {"x", "x"}, {"a"});
  b.node("Relu", {"x"}, {"b"});
  b.node("MatMul", {"b", "b"}, {"c"});
  b.node("Add", {"a", "c"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {64, 64});
  return b.bytes();
}

TEST(CpuAffinity, RunsOnTheGivenCoresAndGivesTheCallerItsOwnBack) {
  const CpuSet all = allowed_cpus();
  if (all.size() < 2) GTEST_SKIP() << "needs two cores to tell pinned threads apart";
  const int core = all.back();
  SessionOptions options;
  options.num_threads = 2;
  options.cpu_cores = {core};
  auto s = Session::open_from_bytes(matmul_chain_model(), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {64, 64});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  auto pinned = (*s)->run({{"x", x}});
  ASSERT_TRUE(pinned.is_ok()) << pinned.status().to_string();
  EXPECT_EQ(allowed_cpus(), all) << "the calling thread gets its cores back";
  // The session's pool worker and the caller's OpenMP team thread stay there.
  EXPECT_GE(threads_pinned_to(std::to_string(core)), 2);
  int team_on_core = 0;
#pragma omp parallel num_threads(2) reduction(+ : team_on_core)
  if (omp_get_thread_num() != 0 && allowed_cpus() == CpuSet{core}) team_on_core = 1;
  EXPECT_EQ(team_on_core, 1);

  auto free_session = Session::open_from_bytes(matmul_chain_model());
  ASSERT_TRUE(free_session.is_ok());
  auto unpinned = (*free_session)->run({{"x", x}});
  ASSERT_TRUE(unpinned.is_ok());
  ASSERT_EQ((*pinned)[0].numel(), (*unpinned)[0].numel());
  for (int64_t i = 0; i < (*pinned)[0].numel(); ++i)
    ASSERT_EQ((*pinned)[0].data<float>()[i], (*unpinned)[0].data<float>()[i]) << i;
}

TEST(CpuAffinity, ACoreTheProcessMayNotUseIsRefusedAtOpen) {
  SessionOptions options;
  options.cpu_cores = {1023};
  auto s = Session::open_from_bytes(matmul_chain_model(), options);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("cpu_cores: core 1023"), std::string::npos) << s.status().to_string();
}

}  // namespace
}  // namespace parallax
