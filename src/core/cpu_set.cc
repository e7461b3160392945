#include "core/cpu_set.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>

#include "core/status_macros.h"

namespace parallax {
namespace {

Result<int> parse_core(std::string_view item, std::string_view text) {
  int value = -1;
  const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
  if (ec != std::errc() || end != item.data() + item.size() || value < 0 || value >= CPU_SETSIZE)
    return error(StatusCode::kInvalidArgument, "bad core list '", text, "': '", item, "' is not a core number (0..",
                 CPU_SETSIZE - 1, ")");
  return value;
}

}  // namespace

Result<CpuSet> parse_cpu_list(std::string_view text) {
  if (text.empty()) return error(StatusCode::kInvalidArgument, "empty core list");
  CpuSet cores;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t comma = std::min(text.find(',', begin), text.size());
    const std::string_view item = text.substr(begin, comma - begin);
    const size_t dash = item.find('-');
    PX_ASSIGN_OR_RETURN(int first, parse_core(item.substr(0, dash), text));
    int last = first;
    if (dash != std::string_view::npos) {
      PX_ASSIGN_OR_RETURN(last, parse_core(item.substr(dash + 1), text));
      if (last < first)
        return error(StatusCode::kInvalidArgument, "bad core list '", text, "': range '", item, "' descends");
    }
    for (int c = first; c <= last; ++c) cores.push_back(c);
    begin = comma + 1;
  }
  std::sort(cores.begin(), cores.end());
  cores.erase(std::unique(cores.begin(), cores.end()), cores.end());
  return cores;
}

std::string format_cpu_list(const CpuSet& cores) {
  std::string out;
  for (size_t i = 0; i < cores.size();) {
    size_t j = i;
    while (j + 1 < cores.size() && cores[j + 1] == cores[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cores[i]);
    if (j > i) {
      out += '-';
      out += std::to_string(cores[j]);
    }
    i = j + 1;
  }
  return out;
}

CpuSet allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CpuSet cores;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cores;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cores.push_back(c);
  return cores;
}

Status check_allowed(const CpuSet& cores, std::string_view what) {
  const CpuSet allowed = allowed_cpus();
  for (size_t i = 0; i < cores.size(); ++i) {
    if (cores[i] < 0 || cores[i] >= CPU_SETSIZE)
      return error(StatusCode::kInvalidArgument, what, ": ", cores[i], " is not a core number");
    if (i > 0 && cores[i] == cores[i - 1])
      return error(StatusCode::kInvalidArgument, what, ": core ", cores[i], " is listed twice");
    if (!std::binary_search(allowed.begin(), allowed.end(), cores[i]))
      return error(StatusCode::kInvalidArgument, what, ": core ", cores[i],
                   " is not one this process may run on (allowed: ", format_cpu_list(allowed), ")");
  }
  return Status::ok();
}

CpuSet biggest_cpus(const CpuSet& cores, const std::string& sysfs) {
  std::vector<long> capacity(cores.size(), -1);
  long best = -1;
  for (size_t i = 0; i < cores.size(); ++i) {
    std::ifstream in(sysfs + "/devices/system/cpu/cpu" + std::to_string(cores[i]) + "/cpu_capacity");
    if (!(in >> capacity[i])) return cores;  // not exposed for every core: treat all alike
    best = std::max(best, capacity[i]);
  }
  CpuSet out;
  for (size_t i = 0; i < cores.size(); ++i)
    if (capacity[i] == best) out.push_back(cores[i]);
  return out;
}

Status pin_this_thread(const CpuSet& cores) {
  if (cores.empty()) return Status::ok();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cores)
    if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0)
    return error(StatusCode::kInvalidArgument, "cannot run on cores ", format_cpu_list(cores));
  return Status::ok();
}

ScopedThreadAffinity::ScopedThreadAffinity(const CpuSet& cores) {
  if (cores.empty()) return;
  previous_ = allowed_cpus();
  pinned_ = pin_this_thread(cores).is_ok();
}

ScopedThreadAffinity::~ScopedThreadAffinity() {
  if (pinned_) (void)pin_this_thread(previous_);
}

}  // namespace parallax
