// The device/CPU overlap of a run's timeline: unions per side, then their
// intersection (two CPU threads busy at once count once).
#include "tools/device_overlap.h"

#include <gtest/gtest.h>

namespace parallax::tools {
namespace {

NodeSpan span(double start_us, double end_us, const char* device = "") {
  NodeSpan s;
  s.start_us = start_us;
  s.end_us = end_us;
  s.device = device;
  return s;
}

TEST(DeviceOverlap, UnionsEachSideThenIntersects) {
  RunStatistics stats;
  stats.timeline = {span(0, 4000, "opencl"), span(6000, 8000, "opencl"),  // device: 6 ms
                    span(1000, 3000), span(2000, 5000),                   // CPU, two threads: 1..5 ms
                    span(7000, 9000)};                                    // CPU: 7..9 ms
  const DeviceOverlap o = device_overlap(stats);
  EXPECT_DOUBLE_EQ(o.device_busy_ms, 6.0);
  EXPECT_DOUBLE_EQ(o.cpu_busy_ms, 6.0);
  EXPECT_DOUBLE_EQ(o.overlap_ms, 3.0 + 1.0);  // 1..4 and 7..8
}

TEST(DeviceOverlap, NoDeviceNoOverlap) {
  RunStatistics stats;
  stats.timeline = {span(0, 1000), span(500, 2000)};
  const DeviceOverlap o = device_overlap(stats);
  EXPECT_DOUBLE_EQ(o.device_busy_ms, 0.0);
  EXPECT_DOUBLE_EQ(o.cpu_busy_ms, 2.0);
  EXPECT_DOUBLE_EQ(o.overlap_ms, 0.0);
}

}  // namespace
}  // namespace parallax::tools
