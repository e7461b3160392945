// When does offloading a region to an accelerator pay? A DeviceProfile holds
// the constants of the cost model of docs/method.md; decide_offload()
// applies it (or the paper's fixed thresholds) to one region and says why.
//
//   DeviceProfile p;                       // the paper's phone: L 0.2 ms, 26 TMAC/s, 51.2 GB/s, CPU 1 GMAC/s
//   RegionCost c{.ops = 12, .macs = 3e9, .boundary_bytes = 4e6};
//   OffloadDecision d = decide_offload(c, p, OffloadRule::kCostModel);
//   // d.offload == true, d.reason == "T_offload 0.315 ms < T_cpu 3000 ms"
//
// A profile is a small JSON file; every key is optional and defaults to the paper:
//   {"name": "pixel6", "latency_ms": 0.2, "accel_macs_per_s": 2.6e13,
//    "bandwidth_bytes_per_s": 51.2e9, "cpu_macs_per_s": 1e9}
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "parallax/status.h"

namespace parallax {

struct DeviceProfile {
  std::string name = "paper-default";
  double latency_s = 0.2e-3;             // L: dispatch latency per region
  double accel_macs_per_s = 2.6e13;      // R_acc
  double bandwidth_bytes_per_s = 51.2e9; // B_bw
  double cpu_macs_per_s = 1e9;           // R_cpu
};

// The paper's relaxed fixed thresholds.
struct FixedThresholds {
  int64_t min_ops = 3;            // N >= 3
  double min_macs = 1e9;          // F >= 1e9
  double max_bytes_per_mac = 0.1; // B / F <= 0.1
};

enum class OffloadRule {
  kCostModel,        // T_offload = L + F/R_acc + B/B_bw < T_cpu = F/R_cpu
  kFixedThresholds,  // FixedThresholds
  kAlways,           // keep every region (tests, forced delegation)
};

struct RegionCost {
  int64_t ops = 0;             // N
  double macs = 0;             // F
  double boundary_bytes = 0;   // B
  bool known = true;           // false: some shape is known only at run time
};

struct OffloadDecision {
  bool offload = false;
  std::string reason;
};

OffloadDecision decide_offload(const RegionCost& cost, const DeviceProfile& profile, OffloadRule rule,
                               const FixedThresholds& thresholds = {});

// Parses a profile from JSON text; `origin` names the source in errors.
Result<DeviceProfile> parse_device_profile(std::string_view json_text, std::string_view origin);
Result<DeviceProfile> load_device_profile(const std::filesystem::path& path);

// The profile as the JSON object parse_device_profile reads (every key written).
std::string device_profile_json(const DeviceProfile& profile);
// Writes device_profile_json to `path`, creating its folder.
Status save_device_profile(const DeviceProfile& profile, const std::filesystem::path& path);

// The cost model's break-even work: a region of more MACs than this, with
// `boundary_bytes` crossing it, is offloaded (L + F/R_acc + B/B_bw < F/R_cpu).
// +infinity when offloading never pays (R_acc <= R_cpu).
double break_even_macs(const DeviceProfile& profile, double boundary_bytes = 0);

}  // namespace parallax
