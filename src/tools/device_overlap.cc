#include "tools/device_overlap.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace parallax::tools {
namespace {

using Intervals = std::vector<std::pair<double, double>>;

// Sorted, disjoint intervals covering the same time as `spans`.
Intervals merged(Intervals spans) {
  std::sort(spans.begin(), spans.end());
  Intervals out;
  for (const auto& s : spans) {
    if (s.second <= s.first) continue;
    if (!out.empty() && s.first <= out.back().second)
      out.back().second = std::max(out.back().second, s.second);
    else
      out.push_back(s);
  }
  return out;
}

double length(const Intervals& v) {
  double total = 0;
  for (const auto& [a, b] : v) total += b - a;
  return total;
}

double intersection(const Intervals& x, const Intervals& y) {
  double total = 0;
  for (size_t i = 0, j = 0; i < x.size() && j < y.size();) {
    total += std::max(0.0, std::min(x[i].second, y[j].second) - std::max(x[i].first, y[j].first));
    if (x[i].second < y[j].second)
      ++i;
    else
      ++j;
  }
  return total;
}

}  // namespace

DeviceOverlap device_overlap(const RunStatistics& stats) {
  Intervals device, cpu;
  for (const NodeSpan& span : stats.timeline)
    (span.device.empty() ? cpu : device).emplace_back(span.start_us, span.end_us);
  const Intervals d = merged(std::move(device)), c = merged(std::move(cpu));
  return {.device_busy_ms = length(d) / 1e3, .cpu_busy_ms = length(c) / 1e3, .overlap_ms = intersection(d, c) / 1e3};
}

}  // namespace parallax::tools
