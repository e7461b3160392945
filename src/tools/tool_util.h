// Input making, output summaries and the scheduling flags shared by the CLI
// subcommands.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "parallax/session.h"
#include "tools/accelerator_flags.h"
#include "tools/trace_writer.h"

namespace parallax::tools {

// Random inputs for every model input; symbolic dims come from `shapes`
// ("name=1x3x640x640") or default to 1.
Result<std::vector<NamedTensor>> make_random_inputs(const Session& session, const std::vector<std::string>& shapes,
                                                    uint32_t seed);
// input_<i>.pb files of a test-data folder, matched to model inputs by position.
Result<std::vector<NamedTensor>> read_input_dir(const Session& session, const std::string& dir);
// "min -1.2 max 3.4 mean 0.5" for numeric tensors (first values for small ones).
std::string summarize(const Tensor& t);

// Flags of `run` and `bench` that choose how a session schedules a run and
// what it reports about it. Kept as text until the command runs; the CLI11
// validators added by add_schedule_flags reject bad values at parse time.
struct ScheduleFlags {
  std::string mode;           // empty: the library's default (SessionOptions::mode)
  std::string memory_budget;  // BYTES[K|M|G]; empty or 0: the library's default
  std::string trace;          // Chrome-trace JSON file to write, empty: none
  double max_arena_growth = 0;  // 0: the library's default (SessionOptions::max_arena_growth)
  uint64_t max_loop_iterations = 0;  // 0: unlimited (SessionOptions::max_loop_iterations)
  bool exact_int8 = false;           // SessionOptions::exact_int8
  bool fixed_schedule = false;  // dataflow without the adaptive fallback to sequential
  bool verbose = false;
  // --accelerator opencl [--accelerator-ops LIST|FILE] [--offload RULE]
  // [--device-profile FILE] [--opencl-...]: SessionOptions::accelerator and
  // the rest, over the environment (accelerator_flags.h).
  std::string accelerator, accelerator_ops, offload, device_profile;
  OpenClFlags opencl;
  // --cpu-cores LIST (SessionOptions::cpu_cores) and --device-cores LIST
  // (tools/device_cores.h); empty: not given.
  std::string cpu_cores, device_cores;
};
void add_schedule_flags(CLI::App& cmd, ScheduleFlags& flags);
// Accepts a core list ("0", "0,2-3"), as --cpu-cores and --device-cores take.
CLI::Validator core_list_validator();
// Sets mode, memory_budget, max_loop_iterations, exact_int8, record_timeline (when a
// trace is asked for), the cores and the accelerator settings. With --device-cores it starts OpenCL on
// those cores: call it before opening a session.
Status apply_schedule_flags(const ScheduleFlags& flags, SessionOptions& options);

// The session's accelerator counters since its last reset, divided by
// `runs`; empty (null) when the session has no accelerator.
std::string accelerator_summary(const Session& session, int runs);
nlohmann::json accelerator_json(const Session& session, int runs);
// "opencl: 12 nodes, 14 dispatches, 25 uploads (1.2 MB), 12 downloads (0.9 MB), 0 zero-copy (0.00 MB),
//  0 CPU fallbacks; weights 9 uploads (3.4 MB); device memory 5.1 MB"
std::string format_counters(std::string_view accelerator, const AcceleratorCounters& c);

// "1048576", "512K", "64M", "2G" (binary multiples, optional trailing B).
Result<size_t> parse_byte_size(std::string_view text);

// This process's peak resident set in bytes: VmHWM, which starts afresh at
// exec. (getrusage's ru_maxrss carries the parent's peak across fork and
// exec, so a bench started from a large Python driver reported the driver's.)
size_t peak_rss_bytes();

// Multi-line human description of a run's statistics (`--verbose`);
// measured_ms is the caller's own wall-clock measurement of the same run.
std::string describe_run_stats(const RunStatistics& stats, double measured_ms);
// The statistics as JSON, without the timeline (that goes to --trace).
nlohmann::json run_stats_json(const RunStatistics& stats);

// Writes make_trace(runs) to `path`.
Status write_trace(const std::string& path, const std::vector<TracedRun>& runs);

}  // namespace parallax::tools
