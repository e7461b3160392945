// SessionOptions::cpu_cores: core lists parse, bad cores are refused when the
// session opens, and a run's threads stay on the cores given.
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/cpu_set.h"
#include "model_builder.h"
#include "parallax/session.h"
#include "runtime/openmp_affinity.h"
#include "schedule/thread_pool.h"

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

// A fake sysfs tree: cpu<N>/cpu_capacity for each (core, capacity).
std::string fake_sysfs(const std::vector<std::pair<int, int>>& capacities) {
  const auto root = std::filesystem::temp_directory_path() / ("px_sysfs_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  for (const auto& [core, capacity] : capacities) {
    const auto dir = root / "devices/system/cpu" / ("cpu" + std::to_string(core));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "cpu_capacity") << capacity << '\n';
  }
  return root.string();
}

TEST(CpuSet, BiggestCoresOfABigLittleMachine) {
  // A phone's tri-cluster: four little, three middle and one prime core.
  const std::string sysfs =
      fake_sysfs({{0, 160}, {1, 160}, {2, 160}, {3, 160}, {4, 780}, {5, 780}, {6, 780}, {7, 1024}});
  EXPECT_EQ(biggest_cpus({0, 1, 2, 3, 4, 5, 6, 7}, sysfs), (CpuSet{7}));
  EXPECT_EQ(biggest_cpus({0, 1, 4, 5}, sysfs), (CpuSet{4, 5})) << "the biggest of the cores given";
  EXPECT_EQ(biggest_cpus({0, 8}, sysfs), (CpuSet{0, 8})) << "a core without a capacity: all alike";
  const std::string alike = fake_sysfs({{0, 1024}, {1, 1024}});
  EXPECT_EQ(biggest_cpus({0, 1}, alike), (CpuSet{0, 1}));
  EXPECT_EQ(biggest_cpus({0, 1}, "/nonexistent"), (CpuSet{0, 1}));
  std::filesystem::remove_all(alike);
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

TEST(CpuAffinity, PoolWorkersPinThemselves) {
  const CpuSet all = allowed_cpus();
  if (all.size() < 2) GTEST_SKIP() << "needs two cores to tell a pinned thread apart";
  ThreadPool pool(1, {all.back()});
  CpuSet seen;
  pool.run(1, [&](int worker) {
    if (worker == 1) seen = allowed_cpus();
  });
  EXPECT_EQ(seen, (CpuSet{all.back()}));
  EXPECT_EQ(allowed_cpus(), all) << "the caller is not pinned by the pool";
}

TEST(CpuAffinity, PinsTheCallersOpenMpTeam) {
  const CpuSet all = allowed_cpus();
  if (all.size() < 2) GTEST_SKIP() << "needs two cores to tell a pinned thread apart";
  const int owner = 0, restorer = 0;
  pin_openmp_team({all.back()}, 2, &owner);
  int on_core = 0;
#pragma omp parallel num_threads(2) reduction(+ : on_core)
  on_core += allowed_cpus() == CpuSet{all.back()} ? 1 : 0;
  pin_openmp_team(all, 2, &restorer);  // the other tests' teams run anywhere again
  EXPECT_EQ(allowed_cpus(), all);
  EXPECT_EQ(on_core, 2);
}

TEST(CpuAffinity, SessionRunsOneThreadPerCoreGivenAndGivesTheCallerItsCoresBack) {
  const CpuSet all = allowed_cpus();
  SessionOptions options;
  options.num_threads = 2;
  options.cpu_cores = {all.front()};
  auto s = Session::open_from_bytes(matmul_chain_model(), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {64, 64});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  auto pinned = (*s)->run({{"x", x}});
  ASSERT_TRUE(pinned.is_ok()) << pinned.status().to_string();
  EXPECT_EQ(allowed_cpus(), all) << "the calling thread gets its cores back";
  EXPECT_EQ((*s)->last_run_stats().threads, 1) << "two threads on one core would wait for each other";

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
