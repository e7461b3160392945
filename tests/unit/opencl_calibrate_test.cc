// The real OpenCL backend as the partitioner's capability, and the
// calibration of its cost-model constants by the tools (skipped without an
// OpenCL device).
#include <gtest/gtest.h>

#include <cmath>

#include "backends/backend_capability.h"
#include "opencl_test_util.h"
#include "partition_graph.h"
#ifdef PARALLAX_HAVE_OPENCL
#include "backends/opencl/profile_path.h"
#include "backends/opencl/program_cache.h"
#include "tools/opencl_calibration.h"
#endif

namespace parallax {
namespace {

using testing::TestGraph;

TEST(BackendCapability, AsksTheBackendAboutEachNode) {
  PX_SKIP_WITHOUT_OPENCL();
  std::shared_ptr<Backend> ocl = testing::opencl_backend();
  TestGraph t;
  const NodeId relu = t.op("relu", "Relu", {"x"}, {"a"});
  const NodeId erf = t.op("erf", "Erf", {"a"}, {"b"});  // no device kernel
  const NodeId mm = t.op("mm", "MatMul", {"b", "w"}, {"c"});
  const NodeId int_relu = t.op("int_relu", "Relu", {"i"}, {"j"});
  t.g.value(t.val("i")).dtype = DataType::kInt64;  // the device kernels are fp32
  for (Node& n : t.g.nodes) n.opset = 13;

  Capability all = backend_capability(t.g, *ocl);
  EXPECT_TRUE(all(t.g.node(relu)));
  EXPECT_FALSE(all(t.g.node(erf)));
  EXPECT_TRUE(all(t.g.node(mm)));
  EXPECT_FALSE(all(t.g.node(int_relu)));

  Capability only_matmul = backend_capability(t.g, *ocl, {"MatMul"});
  EXPECT_FALSE(only_matmul(t.g.node(relu)));
  EXPECT_TRUE(only_matmul(t.g.node(mm)));

  // As RegionOptions::supported: relu alone and mm alone (erf between them).
  PartitionOptions o;
  o.accelerator.supported = all;
  o.accelerator.rule = OffloadRule::kAlways;
  auto p = partition(t.g, t.work(), o);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->regions.size(), 2u);
}

#ifdef PARALLAX_HAVE_OPENCL
TEST(Calibrate, SmallRunGivesPositiveFiniteConstants) {
  PX_SKIP_WITHOUT_OPENCL();
  tools::CalibrateOptions o;
  o.threads = 1;
  o.matmul_size = 64;
  o.transfer_bytes = size_t{1} << 20;
  o.repetitions = 3;
  o.warmup = 1;
  o.latency_repetitions = 10;
  auto r = tools::calibrate_opencl(o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const DeviceProfile& p = r->profile;
  EXPECT_FALSE(p.name.empty());
  for (double v : {p.latency_s, p.accel_macs_per_s, p.bandwidth_bytes_per_s, p.cpu_macs_per_s}) {
    EXPECT_TRUE(std::isfinite(v));
    EXPECT_GT(v, 0);
  }
  EXPECT_EQ(r->matmul_macs, 64.0 * 64 * 64);
  EXPECT_EQ(r->threads, 1);
  // Where sessions with the default cache folder look for it.
  EXPECT_EQ(r->profile_path, opencl::calibrated_profile_path(opencl::default_cache_dir(), p.name));
  // What calibrate writes, parse_device_profile reads back.
  auto back = parse_device_profile(device_profile_json(p), "calibration");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->name, p.name);
}

TEST(Calibrate, ProfilePathIsASafeFileNameInTheCache) {
  using opencl::calibrated_profile_path;
  EXPECT_EQ(calibrated_profile_path("/tmp/px-cache", "pthread-skylake Intel(R) Xeon(R) / CPU"),
            std::filesystem::path("/tmp/px-cache/profiles/pthread-skylake_Intel_R_Xeon_R_CPU.json"));
  EXPECT_EQ(calibrated_profile_path("/tmp/px-cache", "../.."),
            std::filesystem::path("/tmp/px-cache/profiles/device.json"));
}

TEST(Calibrate, SessionsLookInTheirOwnCacheFolder) {
  std::shared_ptr<Backend> ocl = testing::opencl_backend({.program_cache_dir = "/tmp/px-cache"});
  if (!ocl) GTEST_SKIP() << "no OpenCL device";
  EXPECT_EQ(ocl->calibrated_profile_path().parent_path(), std::filesystem::path("/tmp/px-cache/profiles"));
}
#endif

}  // namespace
}  // namespace parallax
