// Sets of CPU cores, and pinning threads to them (SessionOptions::cpu_cores).
//
//   PX_ASSIGN_OR_RETURN(CpuSet cores, parse_cpu_list("0,2-3"));   // {0, 2, 3}
//   PX_RETURN_IF_ERROR(check_allowed(cores, "cpu_cores"));        // cores this process may use
//   ScopedThreadAffinity pin(cores);   // this thread runs on them until `pin` goes
//
// Why a session pins at all: on a machine split between the CPU side and an
// accelerator that is itself CPU cores (PoCL's device on one core, the CPU
// branches on the other, docs/opencl.md), both sides must stay on their own
// cores or the overlap the Parallax method schedules is time-sliced away.
// Threads created by a pinned thread inherit its cores (Linux semantics),
// which is how OpenMP teams and pool workers started during a run follow.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parallax/status.h"

namespace parallax {

// Core numbers, ascending and unique.
using CpuSet = std::vector<int>;

// "0", "0,2", "1-3", "0,2-3" (Linux's cpulist syntax); empty text, a bad
// number or a descending range is an error naming the text.
Result<CpuSet> parse_cpu_list(std::string_view text);
// Back to the compact form: {0, 2, 3} -> "0,2-3".
std::string format_cpu_list(const CpuSet& cores);

// The cores the calling thread may run on now (sched_getaffinity).
CpuSet allowed_cpus();
// InvalidArgument naming `what` when a core is negative, duplicated or not
// one the calling thread may run on.
Status check_allowed(const CpuSet& cores, std::string_view what);

// The fastest of `cores` on a big.LITTLE machine: those whose
// <sysfs>/devices/system/cpu/cpu<N>/cpu_capacity is the largest (Linux
// scales it to 1024 for the biggest core type). All of `cores` where no
// capacity is exposed (x86) or every core is alike. `sysfs` is a parameter
// so that tests can give a fake tree.
CpuSet biggest_cpus(const CpuSet& cores, const std::string& sysfs = "/sys");

// Restricts the calling thread to `cores` (empty: no change).
Status pin_this_thread(const CpuSet& cores);

// Pins the calling thread to `cores` for its lifetime and restores the
// cores it had before. Empty `cores`: does nothing.
class ScopedThreadAffinity {
 public:
  explicit ScopedThreadAffinity(const CpuSet& cores);
  ~ScopedThreadAffinity();
  ScopedThreadAffinity(const ScopedThreadAffinity&) = delete;
  ScopedThreadAffinity& operator=(const ScopedThreadAffinity&) = delete;

 private:
  CpuSet previous_;
  bool pinned_ = false;
};

}  // namespace parallax
