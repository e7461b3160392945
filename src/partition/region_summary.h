// The paper's Table 7 heterogeneous columns for one partition:
//   Pre      candidate device regions before the offload rule prunes them,
//   Post     the regions it keeps (offloaded),
//   Parallax layers where an offloaded region sits beside at least one CPU
//            branch, so device and CPU work can overlap; and the nodes that
//            stay on the CPU (fallbacks).
//
//   RegionSummary s = summarize_regions(partition);
//   std::cout << region_summary_text(s);   // "Pre 12 regions / 80 nodes  Post ..."
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "partition/branches.h"

namespace parallax {

struct RegionSummary {
  size_t pre_regions = 0, pre_nodes = 0;    // every candidate region
  size_t post_regions = 0, post_nodes = 0;  // offloaded regions
  size_t hetero_layers = 0;  // layers with an offloaded region and a CPU branch
  size_t cpu_nodes = 0;      // running nodes outside offloaded regions
};

RegionSummary summarize_regions(const Partition& p);

// Two lines of text, and the JSON object {pre_regions, pre_nodes, ...}.
std::string region_summary_text(const RegionSummary& s);
nlohmann::json region_summary_json(const RegionSummary& s);

}  // namespace parallax
