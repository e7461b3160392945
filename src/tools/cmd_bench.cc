// `parallax bench MODEL`: latency statistics in the style of TFLite's
// benchmark_model: warm-up runs, then counted runs; min / median / p90 / max,
// CPU time per inference, peak RSS and planned arena bytes.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
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
  int threads = 1, warmup = 5, runs = 20;
  bool json = false, profile = false;
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

int run_bench(const BenchArgs& args) {
  SessionOptions options;
  options.num_threads = args.threads;
  options.profile = args.profile;
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
  double cpu_total = 0;
  for (int i = 0; i < args.warmup + args.runs; ++i) {
    double cpu0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    auto out = (*session)->run(*inputs);
    auto t1 = std::chrono::steady_clock::now();
    double cpu1 = cpu_seconds();
    if (!out.is_ok()) {
      std::cerr << "error: " << out.status().to_string() << '\n';
      return 1;
    }
    if (i >= args.warmup) {
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      cpu_total += (cpu1 - cpu0) * 1e3;
    }
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
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
      {"peak_rss_bytes", static_cast<int64_t>(ru.ru_maxrss) * 1024},
      {"arena_bytes", (*session)->last_arena_bytes()},
  };
  if (args.json) {
    std::cout << j.dump() << '\n';
  } else {
    std::printf("%s: threads %d, %d runs after %d warm-up\n", args.model.c_str(), args.threads, args.runs, args.warmup);
    std::printf("latency ms: min %.3f  median %.3f  p90 %.3f  max %.3f\n", j["min_ms"].get<double>(),
                j["median_ms"].get<double>(), j["p90_ms"].get<double>(), j["max_ms"].get<double>());
    std::printf("cpu ms per run: %.3f   peak RSS: %.1f MiB   arena: %.1f MiB\n", j["cpu_ms_per_run"].get<double>(),
                static_cast<double>(ru.ru_maxrss) / 1024.0,
                static_cast<double>((*session)->last_arena_bytes()) / (1024.0 * 1024.0));
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
  cmd->add_option("--threads", args->threads, "intra-op threads")->check(CLI::Range(1, 1024));
  cmd->add_option("--warmup", args->warmup, "warm-up runs (not counted)")->check(CLI::Range(0, 100000));
  cmd->add_option("--runs", args->runs, "counted runs")->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_flag("--profile", args->profile, "print time per op type");
  cmd->callback([=] { *exit_code = run_bench(*args); });
}

}  // namespace parallax::tools
