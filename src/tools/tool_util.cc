#include "tools/tool_util.h"

#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include "core/cpu_set.h"
#include "core/status_macros.h"
#include "format/tensor_proto.h"
#include "kernels/cpu/cast_ops.h"
#include "kernels/kernel_util.h"
#include "tools/device_cores.h"
#include "tools/device_overlap.h"

namespace parallax::tools {

namespace fs = std::filesystem;

Result<std::vector<NamedTensor>> make_random_inputs(const Session& session, const std::vector<std::string>& shapes,
                                                    uint32_t seed) {
  std::map<std::string, Shape> given;
  for (const std::string& s : shapes) {
    auto eq = s.find('=');
    if (eq == std::string::npos) return error(StatusCode::kInvalidArgument, "--shape '", s, "' is not NAME=D0xD1x...");
    Shape shape;
    std::stringstream dims(s.substr(eq + 1));
    std::string d;
    while (std::getline(dims, d, 'x')) {
      char* end = nullptr;
      long long v = std::strtoll(d.c_str(), &end, 10);
      if (d.empty() || *end != '\0' || v < 0)
        return error(StatusCode::kInvalidArgument, "--shape '", s, "' has a bad dimension '", d, "'");
      shape.push_back(v);
    }
    given[s.substr(0, eq)] = shape;
  }
  std::mt19937 rng(seed);
  std::vector<NamedTensor> out;
  for (const TensorInfo& info : session.inputs()) {
    Shape shape;
    if (auto it = given.find(info.name); it != given.end()) {
      shape = it->second;
    } else {
      for (int64_t d : info.shape) shape.push_back(d < 0 ? 1 : d);
    }
    if (info.dtype == DataType::kSequence)
      return error(StatusCode::kUnsupported, "input '", info.name,
                   "' is a sequence of tensors, which is not drawn at random: give it with --inputs DIR (a "
                   "SequenceProto file)");
    if (!is_storable(info.dtype) || info.dtype == DataType::kString)
      return error(StatusCode::kUnsupported, "input '", info.name, "' has type ", data_type_name(info.dtype));
    // Half-float inputs: drawn as float32, then rounded by Cast's conversion.
    const DataType drawn = is_half_float(info.dtype) ? DataType::kFloat32 : info.dtype;
    // The shape is the model's declaration or --shape's: checked, since an
    // element count that overflows would size the buffer small and the fill
    // below would write past it.
    Result<Tensor> created = Tensor::create(drawn, shape);
    if (!created.is_ok()) return created.status().with_context("input '" + info.name + "'");
    Tensor t = std::move(created).value();
    std::uniform_real_distribution<float> uni(0.0f, 1.0f);
    Status s = visit_all(drawn, [&]<typename T>() {
      T* p = t.data<T>();
      for (int64_t i = 0; i < t.numel(); ++i) {
        if constexpr (std::is_floating_point_v<T>)
          p[i] = static_cast<T>(uni(rng));
        else if constexpr (std::is_same_v<T, bool>)
          p[i] = uni(rng) < 0.5f;
        else
          p[i] = static_cast<T>(rng() % 4);
      }
      return Status::ok();
    });
    PX_RETURN_IF_ERROR(s);
    if (drawn != info.dtype) {
      Tensor half = Tensor::allocate(info.dtype, shape);
      PX_RETURN_IF_ERROR(cast_tensor(t, half, 1));
      t = std::move(half);
    }
    out.push_back({info.name, std::move(t)});
  }
  return out;
}

Result<std::vector<NamedTensor>> read_input_dir(const Session& session, const std::string& dir) {
  std::vector<NamedTensor> out;
  const auto& declared = session.inputs();
  for (size_t i = 0; i < declared.size(); ++i) {
    fs::path path = fs::path(dir) / ("input_" + std::to_string(i) + ".pb");
    if (!fs::exists(path))
      return error(StatusCode::kNotFound, "input '", declared[i].name, "' has no file ", path.string());
    const TensorInfo& info = declared[i];
    Result<Tensor> t = read_value_file(path, info.dtype == DataType::kSequence, info.optional, info.element_type);
    if (!t.is_ok()) return t.status();
    out.push_back({declared[i].name, std::move(t).value()});
  }
  return out;
}

std::string summarize(const Tensor& t) {
  std::ostringstream out;
  if (t.is_sequence()) {
    out << t.items().size() << " tensors";
    constexpr size_t kShown = 8;
    for (size_t k = 0; k < t.items().size() && k < kShown; ++k)
      out << "; " << shape_to_string(t.items()[k].shape()) << ' ' << summarize(t.items()[k]);
    if (t.items().size() > kShown) out << "; ...";
    return out.str();
  }
  if (t.numel() == 0) return "(empty)";
  if (is_half_float(t.dtype())) {
    Tensor wide = Tensor::allocate(DataType::kFloat32, t.shape());
    if (!cast_tensor(t, wide, 1).is_ok()) return "(not summarised)";
    return summarize(wide);
  }
  Status s = visit_all(t.dtype(), [&]<typename T>() {
    const T* p = t.data<T>();
    double lo = static_cast<double>(p[0]), hi = lo, sum = 0;
    for (int64_t i = 0; i < t.numel(); ++i) {
      double v = static_cast<double>(p[i]);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    out << "min " << lo << " max " << hi << " mean " << sum / static_cast<double>(t.numel());
    return Status::ok();
  });
  if (!s.is_ok()) return "(not summarised)";
  return out.str();
}

Result<size_t> parse_byte_size(std::string_view text) {
  auto bad = [&] {
    return error(StatusCode::kInvalidArgument, "'", text, "' is not a byte count (BYTES, or with a K, M or G suffix)");
  };
  size_t i = 0, value = 0;
  constexpr size_t kMax = std::numeric_limits<size_t>::max();
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    size_t digit = static_cast<size_t>(text[i] - '0');
    if (value > (kMax - digit) / 10) return bad();
    value = value * 10 + digit;
  }
  if (i == 0) return bad();
  std::string suffix(text.substr(i));
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // "64M", "64MB" and "64MiB" all mean 64 * 2^20: a budget is compared with
  // arena sizes, which are counted in binary units everywhere else.
  int shift = 0;
  if (!suffix.empty()) {
    const std::string units = "KMG";
    size_t unit = units.find(suffix[0]);
    std::string rest = suffix.substr(1);
    if (suffix == "B") {
      rest.clear();
    } else if (unit == std::string::npos) {
      return bad();
    } else {
      shift = 10 * static_cast<int>(unit + 1);
    }
    if (!rest.empty() && rest != "B" && rest != "IB") return bad();
  }
  if (shift > 0 && value > (kMax >> shift)) return bad();
  return value << shift;
}

CLI::Validator core_list_validator() {
  return CLI::Validator(
      [](std::string& s) {
        if (s == "big") return std::string();
        auto c = parse_cpu_list(s);
        return c.is_ok() ? std::string() : c.status().message();
      },
      "LIST");
}

void add_schedule_flags(CLI::App& cmd, ScheduleFlags& flags) {
  cmd.add_option("--mode", flags.mode, "scheduling: sequential, layer or dataflow (default dataflow)")
      ->check(CLI::Validator(
          [](std::string& s) {
            auto m = parse_execution_mode(s);
            return m.is_ok() ? std::string() : m.status().message();
          },
          "MODE"));
  cmd.add_option("--memory-budget", flags.memory_budget,
                 "most activation-arena bytes, e.g. 64M or 2G (default 0: available memory less a margin)")
      ->check(CLI::Validator(
          [](std::string& s) {
            auto b = parse_byte_size(s);
            return b.is_ok() ? std::string() : b.status().message();
          },
          "BYTES"));
  cmd.add_option("--trace", flags.trace, "write a Chrome-trace / Perfetto JSON timeline to FILE");
  cmd.add_flag("--fixed-schedule", flags.fixed_schedule,
               "dataflow always, without timing it against sequential execution over the first runs");
  cmd.add_option("--max-arena-growth", flags.max_arena_growth,
                 "concurrent arena at most this x the sequential plan; beyond, concurrency is given up (default 1.10)")
      ->check(CLI::Range(1.0, 1e6));
  cmd.add_option("--max-loop-iterations", flags.max_loop_iterations,
                 "fail a run in which one Loop node would iterate more than N times, e.g. a while-loop whose "
                 "condition never turns false (default 0: unlimited)");
  cmd.add_flag("--exact-int8", flags.exact_int8,
               "on x86 CPUs without VNNI, run int8 weights past [-64, 64] on exact int32 paths instead of kernels "
               "that saturate pairs of products at int16 as ONNX Runtime's do (slower there)");
  cmd.add_flag("--verbose", flags.verbose, "print the run statistics (concurrency, busy time, memory, bound)");
  const CLI::Validator core_list = core_list_validator();
  cmd.add_option("--cpu-cores", flags.cpu_cores,
                 "run the CPU side on these cores only, e.g. 0 or 0,2-3, or `big`: the biggest core type's "
                 "(big.LITTLE); default: anywhere, with --device-cores the cores the device does not get")
      ->check(core_list);
  cmd.add_option("--device-cores", flags.device_cores,
                 "give an OpenCL device that is CPU cores (PoCL) these cores and as many compute units, "
                 "to split the machine between device and CPU side")
      ->check(core_list);
  cmd.add_option("--accelerator", flags.accelerator,
                 "offload the nodes an accelerator supports: opencl (falls back to the CPU with a warning when no "
                 "OpenCL device is found) or none [PARALLAX_ACCELERATOR]")
      ->check(CLI::Validator(
          [](std::string& s) {
            auto a = parse_accelerator(s);
            return a.is_ok() ? std::string() : a.status().message();
          },
          "NAME"));
  cmd.add_option("--accelerator-ops", flags.accelerator_ops,
                 "only these op types go to the accelerator: Conv,Relu,... or a file of op names "
                 "(backends/opencl/tflite_gpu_ops.txt mirrors TFLite's GPU delegate) [PARALLAX_ACCELERATOR_OPS]");
  cmd.add_option("--offload", flags.offload,
                 "which supported regions the accelerator gets: all, cost (those the cost model says pay), "
                 "thresholds (the paper's fixed thresholds), auto (default: cost with a calibrated device profile, "
                 "else all)")
      ->check(CLI::IsMember({"auto", "all", "cost", "thresholds"}));
  cmd.add_option(
      "--device-profile", flags.device_profile,
      "device profile JSON for the cost model (default: the one `parallax calibrate` wrote for this device)");
  add_opencl_flags(cmd, flags.opencl);
}

std::string format_counters(std::string_view accelerator, const AcceleratorCounters& c) {
  auto mb = [](uint64_t b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f MB", static_cast<double>(b) / 1e6);
    return std::string(buf);
  };
  std::ostringstream out;
  out << accelerator << ": " << c.nodes << " nodes, " << c.dispatches << " dispatches, " << c.transfers_to_device
      << " uploads (" << mb(c.bytes_to_device) << "), " << c.transfers_from_device << " downloads ("
      << mb(c.bytes_from_device) << "), " << c.host_views << " zero-copy (" << mb(c.host_view_bytes) << "), "
      << c.cpu_fallbacks << " CPU fallbacks; weights " << c.weight_transfers << " uploads (" << mb(c.weight_bytes)
      << "); device memory " << mb(c.device_bytes);
  return out.str();
}

std::string accelerator_summary(const Session& session, int runs) {
  if (session.accelerator() == Accelerator::kNone) return "";
  const uint64_t n = static_cast<uint64_t>(std::max(runs, 1));
  AcceleratorCounters per = session.accelerator_counters();
  for (uint64_t* v :
       {&per.bytes_to_device, &per.bytes_from_device, &per.transfers_to_device, &per.transfers_from_device,
        &per.host_views, &per.host_view_bytes, &per.dispatches, &per.nodes, &per.cpu_fallbacks})
    *v /= n;
  return format_counters(accelerator_name(session.accelerator()), per) + (runs > 1 ? " (per run; weights once)" : "") +
         "\n";
}

nlohmann::json accelerator_json(const Session& session, int runs) {
  if (session.accelerator() == Accelerator::kNone) return nullptr;
  const AcceleratorCounters c = session.accelerator_counters();
  const double n = static_cast<double>(std::max(runs, 1));
  return {{"name", accelerator_name(session.accelerator())},
          {"nodes_per_run", static_cast<double>(c.nodes) / n},
          {"dispatches_per_run", static_cast<double>(c.dispatches) / n},
          {"uploads_per_run", static_cast<double>(c.transfers_to_device) / n},
          {"upload_bytes_per_run", static_cast<double>(c.bytes_to_device) / n},
          {"downloads_per_run", static_cast<double>(c.transfers_from_device) / n},
          {"download_bytes_per_run", static_cast<double>(c.bytes_from_device) / n},
          {"zero_copy_per_run", static_cast<double>(c.host_views) / n},
          {"zero_copy_bytes_per_run", static_cast<double>(c.host_view_bytes) / n},
          {"cpu_fallbacks_per_run", static_cast<double>(c.cpu_fallbacks) / n},
          {"weight_bytes", c.weight_bytes},
          {"device_memory_bytes", c.device_bytes}};
}

Status apply_schedule_flags(const ScheduleFlags& flags, SessionOptions& options) {
  if (!flags.mode.empty()) {
    PX_ASSIGN_OR_RETURN(options.mode, parse_execution_mode(flags.mode));
  }
  if (!flags.memory_budget.empty()) {
    PX_ASSIGN_OR_RETURN(options.memory_budget, parse_byte_size(flags.memory_budget));
  }
  if (flags.max_arena_growth > 0) options.max_arena_growth = flags.max_arena_growth;
  options.max_loop_iterations = flags.max_loop_iterations;
  options.exact_int8 = flags.exact_int8;
  if (flags.fixed_schedule) options.adapt_schedule = false;
  PX_ASSIGN_OR_RETURN(options.cpu_cores, resolve_cores(flags.cpu_cores, flags.device_cores));
  PX_RETURN_IF_ERROR(apply_accelerator_choice(flags.accelerator, flags.accelerator_ops, options));
  PX_ASSIGN_OR_RETURN(options.opencl, opencl_options(flags.opencl));
  if (!flags.offload.empty()) options.offload = flags.offload;
  if (!flags.device_profile.empty()) options.device_profile = flags.device_profile;
  if (!flags.trace.empty()) {
    options.record_timeline = true;
    // Find an unwritable trace path now, not after a long benchmark.
    std::ofstream probe(flags.trace, std::ios::app);
    if (!probe) return error(StatusCode::kInvalidArgument, "cannot write the trace file '", flags.trace, "'");
  }
  return Status::ok();
}

namespace {

std::string mib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

std::string describe_run_stats(const RunStatistics& s, double measured_ms) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(3);
  out << "mode: " << execution_mode_name(s.mode) << " on " << s.threads << " thread" << (s.threads == 1 ? "" : "s")
      << ", nodes run " << s.nodes_run << ", max concurrency "
      << s.max_concurrency << ", concurrent branch pairs " << s.concurrent_branches.size() << '\n';
  out << "busy ms per thread:";
  if (s.thread_busy_ms.empty()) out << " (not recorded)";
  for (size_t t = 0; t < s.thread_busy_ms.size(); ++t) out << ' ' << t << ": " << s.thread_busy_ms[t];
  out << '\n';
  out << "arena: " << mib(s.arena_bytes) << " (sequential plan " << mib(s.sequential_arena_bytes) << ", lower bound "
      << mib(s.lower_bound_arena_bytes) << "), peak live " << mib(s.peak_live_bytes) << ", budget "
      << (s.memory_budget ? mib(s.memory_budget) : std::string("default")) << ", arena grown " << s.arena_allocations
      << " times so far\n";
  if (s.pooled_peak_bytes > 0)
    out << "run-time-sized tensors: peak live " << mib(s.pooled_peak_bytes) << ", kept for reuse "
        << mib(s.pooled_cached_bytes) << '\n';
  out << "critical path " << s.critical_path_ms << " ms, bound " << s.bound_ms << " ms, measured " << measured_ms
      << " ms (runtime's wall " << s.wall_ms << " ms)";
  if (s.bound_ms > 0) out << ", " << (measured_ms / s.bound_ms) << "x the bound";
  out << '\n';
  if (!s.note.empty()) out << "note: " << s.note << '\n';
  return out.str();
}

nlohmann::json run_stats_json(const RunStatistics& s) {
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [a, b] : s.concurrent_branches) pairs.push_back({a, b});
  nlohmann::json out = {{"mode", execution_mode_name(s.mode)},
          {"threads", s.threads},
          {"wall_ms", s.wall_ms},
          {"nodes_run", s.nodes_run},
          {"arena_bytes", s.arena_bytes},
          {"sequential_arena_bytes", s.sequential_arena_bytes},
          {"lower_bound_arena_bytes", s.lower_bound_arena_bytes},
          {"peak_live_bytes", s.peak_live_bytes},
          {"pooled_peak_bytes", s.pooled_peak_bytes},
          {"pooled_cached_bytes", s.pooled_cached_bytes},
          {"memory_budget", s.memory_budget},
          {"arena_allocations", s.arena_allocations},
          {"max_concurrency", s.max_concurrency},
          {"concurrent_branches", std::move(pairs)},
          {"thread_busy_ms", s.thread_busy_ms},
          {"critical_path_ms", s.critical_path_ms},
          {"bound_ms", s.bound_ms},
          {"note", s.note}};
  // With a timeline (--trace) and a device: how long device and CPU worked at once.
  if (std::any_of(s.timeline.begin(), s.timeline.end(), [](const NodeSpan& n) { return !n.device.empty(); })) {
    const DeviceOverlap o = device_overlap(s);
    out["device_busy_ms"] = o.device_busy_ms;
    out["cpu_busy_ms"] = o.cpu_busy_ms;
    out["device_cpu_overlap_ms"] = o.overlap_ms;
  }
  return out;
}

Status write_trace(const std::string& path, const std::vector<TracedRun>& runs) {
  std::ofstream out(path, std::ios::trunc);
  // Node names come from the model and need not be valid UTF-8.
  if (out) out << make_trace(runs).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  if (!out) return error(StatusCode::kInvalidArgument, "cannot write the trace file '", path, "'");
  return Status::ok();
}

size_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return static_cast<size_t>(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<size_t>(ru.ru_maxrss) * 1024;
}

}  // namespace parallax::tools
