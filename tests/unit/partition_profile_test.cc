#include <gtest/gtest.h>

#include "partition/device_profile.h"

namespace parallax {
namespace {

TEST(DeviceProfile, CostModelUsesThePaperConstants) {
  DeviceProfile p;
  RegionCost big;
  big.ops = 12;
  big.macs = 3e9;
  big.boundary_bytes = 4e6;
  OffloadDecision d = decide_offload(big, p, OffloadRule::kCostModel);
  EXPECT_TRUE(d.offload) << d.reason;
  // 0.2 ms + 3e9 / 2.6e13 s + 4e6 / 51.2e9 s = 0.3935 ms < 3000 ms.
  EXPECT_EQ(d.reason, "T_offload 0.3935 ms < T_cpu 3000 ms");
  RegionCost tiny;
  tiny.ops = 3;
  tiny.macs = 1e5;  // 0.1 ms on the CPU: less than the dispatch latency alone
  EXPECT_FALSE(decide_offload(tiny, p, OffloadRule::kCostModel).offload);
  RegionCost unknown = big;
  unknown.known = false;
  EXPECT_FALSE(decide_offload(unknown, p, OffloadRule::kCostModel).offload);
}

TEST(DeviceProfile, FixedThresholds) {
  DeviceProfile p;
  RegionCost c;
  c.ops = 3;
  c.macs = 2e9;
  c.boundary_bytes = 1e8;
  EXPECT_TRUE(decide_offload(c, p, OffloadRule::kFixedThresholds).offload);
  c.ops = 2;
  EXPECT_EQ(decide_offload(c, p, OffloadRule::kFixedThresholds).reason, "N 2 < 3 ops");
  c.ops = 3;
  c.boundary_bytes = 4e8;
  EXPECT_EQ(decide_offload(c, p, OffloadRule::kFixedThresholds).reason, "B/F 0.2 > 0.1 bytes/MAC");
  c.boundary_bytes = 0;
  c.macs = 1e8;
  EXPECT_FALSE(decide_offload(c, p, OffloadRule::kFixedThresholds).offload);
}

TEST(DeviceProfile, ParsesJsonWithDefaults) {
  auto p = parse_device_profile(R"({"name": "npu", "latency_ms": 0.5, "cpu_macs_per_s": 2e9})", "test");
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->name, "npu");
  EXPECT_DOUBLE_EQ(p->latency_s, 0.5e-3);
  EXPECT_DOUBLE_EQ(p->cpu_macs_per_s, 2e9);
  EXPECT_DOUBLE_EQ(p->accel_macs_per_s, 2.6e13);
}

TEST(DeviceProfile, MalformedJsonIsAClearError) {
  auto bad = [](const char* text) {
    auto p = parse_device_profile(text, "p.json");
    EXPECT_FALSE(p.is_ok()) << text;
    return p.is_ok() ? std::string() : p.status().message();
  };
  EXPECT_EQ(bad("{\"latency_ms\": "), "device profile p.json: not valid JSON");
  EXPECT_EQ(bad("[1, 2]"), "device profile p.json: expected a JSON object");
  EXPECT_EQ(bad(R"({"latency": 1})"), "device profile p.json: unknown key 'latency'");
  EXPECT_EQ(bad(R"({"cpu_macs_per_s": "fast"})"), "device profile p.json: 'cpu_macs_per_s' must be a number");
  EXPECT_EQ(bad(R"({"cpu_macs_per_s": 0})"), "device profile p.json: 'cpu_macs_per_s' must be > 0, got 0");
  EXPECT_EQ(load_device_profile("/nonexistent/profile.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace parallax
