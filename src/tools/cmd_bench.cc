// `parallax bench MODEL`: latency statistics in the style of TFLite's
// benchmark_model: warm-up runs, then counted runs; min / median / p90 / max,
// CPU time per inference, peak RSS and planned arena bytes. --mode and
// --memory-budget choose the schedule; --verbose prints the last run's
// statistics; --trace writes a Perfetto timeline of every counted run, each
// at the time it started (so the gaps between runs are the tool's own
// overhead), which shows run-to-run variation as well as one run's schedule.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "parallax/session.h"
#include "tools/commands.h"
#include "tools/tool_util.h"

namespace parallax::tools {

namespace {

struct BenchArgs {
  std::string model, inputs_dir;
  std::vector<std::string> shapes;
  // 17 warm-ups: the adaptive schedule's first trial at 2 threads (two
  // rounds of a block per way to run, ScheduleTuner::trial_length()).
  int threads = 1, warmup = 17, runs = 20;
  bool json = false, profile = false;
  ScheduleFlags schedule;
};

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  double idx = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(idx);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

// "[#######.............] 7/25" on stderr, redrawn in place; only when
// stderr is a terminal, so that logs and --json pipelines stay clean.
class ProgressBar {
 public:
  explicit ProgressBar(int total) : total_(total), enabled_(isatty(STDERR_FILENO) == 1 && total > 0) {}
  void update(int done) {
    // At most ~100 redraws: writing to the terminal after every run of a
    // microsecond model would cost more than the runs themselves.
    if (!enabled_) return;
    int percent = static_cast<int>(int64_t{done} * 100 / total_);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    constexpr int kWidth = 30;
    int filled = done * kWidth / total_;
    std::fprintf(stderr, "\r[%s%s] %d/%d", std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), done, total_);
    std::fflush(stderr);
  }
  ~ProgressBar() {
    if (enabled_) std::fprintf(stderr, "\r\033[K");  // erase the bar before the results are printed
  }

 private:
  int total_;
  bool enabled_;
  int last_percent_ = -1;
};

int run_bench(const BenchArgs& args) {
  SessionOptions options;
  options.num_threads = args.threads;
  options.profile = args.profile;
  if (Status s = apply_schedule_flags(args.schedule, options); !s.is_ok()) {
    std::cerr << "error: " << s.to_string() << '\n';
    return 1;
  }
  auto session = Session::open(args.model, options);
  if (!session.is_ok()) {
    std::cerr << "error: " << session.status().to_string() << '\n';
    return 1;
  }
  auto inputs = args.inputs_dir.empty() ? make_random_inputs(**session, args.shapes, 0)
                                        : read_input_dir(**session, args.inputs_dir);
  if (!inputs.is_ok()) {
    std::cerr << "error: " << inputs.status().to_string() << '\n';
    return 1;
  }
  std::vector<double> ms;
  double first_run_ms = 0;
  std::vector<TracedRun> traced;
  std::chrono::steady_clock::time_point first_counted;
  double cpu_total = 0;
  {
    ProgressBar progress(args.warmup + args.runs);
    for (int i = 0; i < args.warmup + args.runs; ++i) {
      if (i == args.warmup) (*session)->reset_accelerator_counters();  // count the measured runs only
      double cpu0 = cpu_seconds();
      auto t0 = std::chrono::steady_clock::now();
      auto out = (*session)->run(*inputs);
      auto t1 = std::chrono::steady_clock::now();
      double cpu1 = cpu_seconds();
      if (!out.is_ok()) {
        std::cerr << "error: " << out.status().to_string() << '\n';
        return 1;
      }
      if (i == 0) first_run_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
      if (i >= args.warmup) {
        if (i == args.warmup) first_counted = t0;
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        cpu_total += (cpu1 - cpu0) * 1e3;
        if (!args.schedule.trace.empty())
          traced.push_back({(*session)->last_run_stats(),
                            std::chrono::duration<double, std::micro>(t0 - first_counted).count(), ms.back()});
      }
      progress.update(i + 1);
    }
  }
  const RunStatistics& stats = (*session)->last_run_stats();
  const size_t peak_rss = peak_rss_bytes();
  nlohmann::json j = {
      {"model", args.model},
      {"threads", args.threads},
      {"warmup", args.warmup},
      {"runs", args.runs},
      {"min_ms", percentile(ms, 0)},
      {"median_ms", percentile(ms, 0.5)},
      {"p90_ms", percentile(ms, 0.9)},
      {"max_ms", percentile(ms, 1)},
      {"cpu_ms_per_run", cpu_total / static_cast<double>(ms.size())},
      {"peak_rss_bytes", peak_rss},
      {"arena_bytes", (*session)->last_arena_bytes()},
      {"pooled_peak_bytes", stats.pooled_peak_bytes},
      {"weight_bytes", (*session)->model_info().weight_bytes},
      {"resident_weight_bytes", (*session)->resident_weight_bytes()},
      {"open_ms", (*session)->model_info().open_ms},
      {"first_run_ms", first_run_ms},
      {"mode", execution_mode_name(options.mode)},
      {"memory_budget", options.memory_budget},
      {"stats", run_stats_json(stats)},
  };
  if (options.accelerator != Accelerator::kNone) {
    j["accelerator"] = accelerator_json(**session, args.runs);
    if (j["accelerator"].is_object()) j["accelerator"]["offload"] = (*session)->model_info().offload;
  }
  if (args.json) {
    std::cout << j.dump() << '\n';
  } else {
    std::printf("%s: threads %d, mode %s, %d runs after %d warm-up\n", args.model.c_str(), args.threads,
                execution_mode_name(options.mode), args.runs, args.warmup);
    std::printf("latency ms: min %.3f  median %.3f  p90 %.3f  max %.3f\n", j["min_ms"].get<double>(),
                j["median_ms"].get<double>(), j["p90_ms"].get<double>(), j["max_ms"].get<double>());
    std::printf("cpu ms per run: %.3f   peak RSS: %.1f MiB   arena: %.1f MiB", j["cpu_ms_per_run"].get<double>(),
                static_cast<double>(peak_rss) / (1024.0 * 1024.0),
                static_cast<double>((*session)->last_arena_bytes()) / (1024.0 * 1024.0));
    if (stats.pooled_peak_bytes > 0)
      std::printf("   run-time-sized tensors: %.1f MiB", static_cast<double>(stats.pooled_peak_bytes) / (1024.0 * 1024.0));
    std::printf("\n");
    std::printf("weights: %.1f MiB in the model, %.1f MiB resident   open: %.1f ms   first run: %.1f ms\n",
                static_cast<double>((*session)->model_info().weight_bytes) / (1024.0 * 1024.0),
                static_cast<double>((*session)->resident_weight_bytes()) / (1024.0 * 1024.0),
                (*session)->model_info().open_ms, first_run_ms);
    if (!(*session)->model_info().offload.empty()) std::cout << "offload: " << (*session)->model_info().offload << '\n';
    std::cout << accelerator_summary(**session, args.runs) << std::flush;
  }
  // After the summary and to stderr with --json, so stdout stays one JSON object.
  if (args.schedule.verbose)
    (args.json ? std::cerr : std::cout) << "last run:\n" << describe_run_stats(stats, ms.back()) << std::flush;
  if (!args.schedule.trace.empty()) {
    if (Status s = write_trace(args.schedule.trace, traced); !s.is_ok()) {
      std::cerr << "error: " << s.to_string() << '\n';
      return 1;
    }
  }
  if (args.profile) {
    auto profile = (*session)->op_profile();
    std::sort(profile.begin(), profile.end(), [](auto& a, auto& b) { return a.total_ms > b.total_ms; });
    double total = 0;
    for (const auto& e : profile) total += e.total_ms;
    std::printf("%-28s %8s %12s %7s\n", "op", "calls/run", "ms/run", "share");
    const double runs = args.warmup + args.runs;
    for (const auto& e : profile)
      std::printf("%-28s %8.1f %12.3f %6.1f%%\n", e.op.c_str(), static_cast<double>(e.calls) / runs, e.total_ms / runs,
                  100.0 * e.total_ms / total);
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("bench", "Measure latency, CPU time and memory of a model");
  auto args = std::make_shared<BenchArgs>();
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("--inputs", args->inputs_dir, "folder with input_<i>.pb files (default: random inputs)");
  cmd->add_option("--shape", args->shapes, "NAME=D0xD1x... for inputs with symbolic dims");
  cmd->add_option("--threads", args->threads, "threads, split between concurrent nodes and inside kernels")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--warmup", args->warmup, "warm-up runs (not counted)")->check(CLI::Range(0, 100000));
  cmd->add_option("--runs", args->runs, "counted runs")->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_flag("--profile", args->profile, "print time per op type");
  add_schedule_flags(*cmd, args->schedule);
  cmd->callback([=] { *exit_code = run_bench(*args); });
}

}  // namespace parallax::tools
