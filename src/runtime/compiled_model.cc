#include "runtime/compiled_model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "graph/passes/passes.h"

namespace parallax {

namespace {

// Bytes the kernel reports under `key` in /proc/meminfo (0 if unknown).
size_t meminfo_bytes(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string name;
  size_t kib = 0;
  std::string unit;
  while (in >> name >> kib) {
    std::getline(in, unit);
    if (name == key + ":") return kib * 1024;
  }
  return 0;
}

Result<size_t> resolve_memory_budget(const SessionOptions& options) {
  if (!(options.memory_safety_margin >= 0 && options.memory_safety_margin < 1))
    return error(StatusCode::kInvalidArgument, "memory_safety_margin must be in [0, 1), got ",
                 options.memory_safety_margin);
  const size_t total = meminfo_bytes("MemTotal");
  if (options.memory_budget != 0) {
    if (total != 0 && options.memory_budget > total)
      return error(StatusCode::kInvalidArgument, "memory budget of ", options.memory_budget,
                   " bytes is more than this machine's ", total, " bytes");
    return options.memory_budget;
  }
  const size_t available = meminfo_bytes("MemAvailable");
  if (available == 0) return SIZE_MAX;  // not Linux: no default limit
  return static_cast<size_t>(static_cast<double>(available) * (1.0 - options.memory_safety_margin));
}

// The backend of SessionOptions::accelerator, made for this session. An
// accelerator that cannot be opened (no OpenCL platform or device, a build
// without OpenCL) prints one warning and the session runs on the CPU; a
// setting the backend cannot honour or an empty op name is an error.
struct ChosenAccelerator {
  std::shared_ptr<Backend> backend;
  std::set<std::string> ops;
};

Result<ChosenAccelerator> accelerator_for(const SessionOptions& options) {
  ChosenAccelerator acc;
  if (options.accelerator == Accelerator::kNone) return acc;
  for (const std::string& op : options.accelerator_ops) {
    if (op.empty()) return error(StatusCode::kInvalidArgument, "accelerator_ops names an empty op type");
    acc.ops.insert(op);
  }
  auto backend = make_backend(options.accelerator, options.opencl);
  if (backend.is_ok()) {
    acc.backend = *backend;
  } else if (backend.status().code() == StatusCode::kInvalidArgument) {
    return backend.status();
  } else {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::cerr << "parallax: warning: accelerator '" << accelerator_name(options.accelerator)
                << "' is not available, running on the CPU: " << backend.status().message() << '\n';
    });
  }
  return acc;
}

// The offload rule and device profile of SessionOptions::offload and
// device_profile (see there).
Status choose_offload_policy(const SessionOptions& options, const Backend& backend, ProgramOptions& popts) {
  const std::string& rule = options.offload;
  if (rule != "auto" && rule != "all" && rule != "cost" && rule != "thresholds")
    return error(StatusCode::kInvalidArgument, "offload must be auto, all, cost or thresholds, got '", rule, "'");
  std::filesystem::path profile_path = options.device_profile;
  bool calibrated = false;
  if (profile_path.empty()) {
    const std::filesystem::path p = backend.calibrated_profile_path();
    std::error_code ec;
    if (!p.empty() && std::filesystem::exists(p, ec)) profile_path = p, calibrated = true;
  }
  if (!profile_path.empty()) {
    auto profile = load_device_profile(profile_path);
    // A broken calibration file must not stop a session that did not ask for it.
    if (!profile.is_ok() && !calibrated) return profile.status();
    if (profile.is_ok())
      popts.device_profile = *profile;
    else
      std::cerr << "parallax: warning: ignoring " << profile.status().message() << '\n';
  }
  popts.offload_rule = rule == "all"                                   ? OffloadRule::kAlways
                       : rule == "cost"                                ? OffloadRule::kCostModel
                       : rule == "thresholds"                          ? OffloadRule::kFixedThresholds
                       : calibrated || !options.device_profile.empty() ? OffloadRule::kCostModel
                                                                       : OffloadRule::kAlways;
  return Status::ok();
}

// Nodes placed on the accelerator wear this domain prefix while the CPU's
// passes run, so that none of them matches or rewrites one: every pass
// matches the standard domain or com.parallax only.
constexpr std::string_view kPlacedPrefix = "com.parallax.placed:";

void hide_placed(Graph& g, const std::vector<bool>& on_device) {
  for (size_t n = 0; n < g.nodes.size(); ++n)
    if (on_device[n]) g.nodes[n].domain = std::string(kPlacedPrefix) + g.nodes[n].domain;
}

void show_placed(Graph& g) {
  for (Node& n : g.nodes)
    if (n.domain.starts_with(kPlacedPrefix)) n.domain.erase(0, kPlacedPrefix.size());
}

// The graph passes, placed first. Without an accelerator every pass runs on
// the whole graph. With one, the passes that serve both run first (folds,
// Conv + activation, which the device kernels take too); then the nodes are
// placed by the offload choice the final program makes (it finds the placed
// nodes unchanged and places them again), and the CPU-only
// passes (channels-last layouts, GEMM epilogues, fused attention) run on
// the nodes left to the CPU, so that the CPU branches beside the device run
// as fast as on a CPU-only session.
Status optimize_for_placement(Graph& g, const ProgramOptions& popts) {
  OptimizeOptions cpu;
  cpu.exact_int8 = popts.exact_int8;
  if (!popts.accelerator) return optimize_graph(g, cpu);
  OptimizeOptions shared = cpu;
  shared.channels_last = false;
  shared.matmul_epilogues = false;
  shared.attention = false;
  PX_RETURN_IF_ERROR(optimize_graph(g, shared));
  ProgramOptions place = popts;
  place.place_only = true;
  place.mode = ExecutionMode::kSequential;  // no thread pool for a program that never runs
  place.weight_cache = nullptr;             // its packed weights go with it, not into a cache other sessions share
  std::vector<bool> on_device;
  {
    const std::shared_ptr<const Graph> view(&g, [](const Graph*) {});  // the program lives only in this block
    PX_ASSIGN_OR_RETURN(std::unique_ptr<Program> placed, Program::compile(view, place));
    on_device.assign(placed->on_device().begin(), placed->on_device().end());
  }
  if (std::find(on_device.begin(), on_device.end(), false) == on_device.end()) return Status::ok();
  hide_placed(g, on_device);
  Status s = optimize_graph(g, cpu);
  show_placed(g);
  return s;
}

}  // namespace

Result<CompiledModel> compile_model(std::unique_ptr<Model> model, const SessionOptions& options) {
  if (options.num_threads < 1 || options.num_threads > 1024)
    return error(StatusCode::kInvalidArgument, "num_threads must be between 1 and 1024, got ", options.num_threads);
  CompiledModel cm;
  cm.cpu_cores = options.cpu_cores;
  std::sort(cm.cpu_cores.begin(), cm.cpu_cores.end());
  PX_RETURN_IF_ERROR(check_allowed(cm.cpu_cores, "SessionOptions::cpu_cores"));
  // More threads than cores given would time-slice an OpenMP team on one
  // core, each member waiting at every barrier for one the OS has switched
  // out (mobilenet_v2, 2 threads on 1 core: 103 ms median against 6.5 ms).
  cm.num_threads =
      cm.cpu_cores.empty() ? options.num_threads : std::min(options.num_threads, static_cast<int>(cm.cpu_cores.size()));
  PX_ASSIGN_OR_RETURN(ChosenAccelerator chosen, accelerator_for(options));
  PX_RETURN_IF_ERROR(prepare_graph(*model->graph));
  ProgramOptions popts;
  if (chosen.backend) {
    PX_RETURN_IF_ERROR(choose_offload_policy(options, *chosen.backend, popts));
    cm.accelerator_kind = options.accelerator;
  }
  cm.accelerator = chosen.backend;
  popts.accelerator = std::move(chosen.backend);
  popts.accelerator_ops = std::move(chosen.ops);
  popts.num_threads = cm.num_threads;
  popts.cpu_cores = cm.cpu_cores;
  popts.mode = options.mode;
  PX_ASSIGN_OR_RETURN(popts.memory_budget, resolve_memory_budget(options));
  popts.max_arena_growth = options.max_arena_growth;
  popts.check_memory = options.check_memory;
  popts.adapt_schedule = options.adapt_schedule;
  popts.max_tensor_bytes = options.max_tensor_bytes;
  popts.max_loop_iterations = options.max_loop_iterations;
  popts.exact_int8 = options.exact_int8;
  popts.weight_cache = options.weight_cache;
  if (options.optimize) PX_RETURN_IF_ERROR(optimize_for_placement(*model->graph, popts));
  PX_ASSIGN_OR_RETURN(cm.program, Program::compile(model->graph, popts));
  // Weights the kernels keep packed are let go here: only their shapes are
  // read again (by shape inference), so the bytes would be a second copy.
  for (ValueId id : cm.program->constants_held_by_kernels()) {
    std::optional<Tensor>& init = model->graph->value(id).initializer;
    init = Tensor::view(init->dtype(), init->shape(), nullptr);
  }
  cm.model = std::move(model);
  return cm;
}

}  // namespace parallax
