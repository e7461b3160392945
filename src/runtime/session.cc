#include "parallax/session.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

#include "backends/backend.h"
#include "core/status_macros.h"
#include "format/onnx_loader.h"
#include "graph/passes/passes.h"
#include "kernels/weight_cache.h"
#include "runtime/op_profiler.h"
#include "runtime/openmp_affinity.h"
#include "runtime/program.h"

namespace parallax {

// Internal: hidden, although nested in an exported class.
struct [[gnu::visibility("hidden")]] Session::Impl {
  std::unique_ptr<Model> model;
  std::unique_ptr<Program> program;
  std::vector<TensorInfo> inputs, outputs;
  ModelInfo info;
  size_t last_arena_bytes = 0;
  RunStatistics last_stats;
  bool record_timeline = false;
  std::mutex stats_mutex;  // runs from several threads each publish their statistics
  std::unique_ptr<OpProfiler> profiler;
  Accelerator accelerator_kind = Accelerator::kNone;  // the one that opened
  std::shared_ptr<Backend> accelerator;  // this session's own (its counters); null: CPU only
  CpuSet cpu_cores;  // SessionOptions::cpu_cores, checked; empty: no pinning
  int num_threads = 1;

  // Optimizes and compiles `loaded` under `options` into this session.
  Status init(std::unique_ptr<Model> loaded, const SessionOptions& options);
};

const char* execution_mode_name(ExecutionMode mode) {
  switch (mode) {
    case ExecutionMode::kSequential: return "sequential";
    case ExecutionMode::kLayer: return "layer";
    case ExecutionMode::kDataflow: return "dataflow";
  }
  return "?";
}

std::vector<int> big_cores() { return biggest_cpus(allowed_cpus()); }

Result<ExecutionMode> parse_execution_mode(std::string_view name) {
  for (ExecutionMode m : {ExecutionMode::kSequential, ExecutionMode::kLayer, ExecutionMode::kDataflow})
    if (name == execution_mode_name(m)) return m;
  return error(StatusCode::kInvalidArgument, "unknown execution mode '", name,
               "' (expected sequential, layer or dataflow)");
}

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

TensorInfo describe_value(const Value& v) {
  TensorInfo info;
  info.name = v.name;
  info.dtype = v.initializer ? v.initializer->dtype() : v.dtype;
  if (v.initializer) {
    info.has_shape = true;
    info.shape = v.initializer->shape();
    info.symbols.assign(info.shape.size(), "");
  } else if (v.declared_shape) {
    info.has_shape = true;
    for (const Dim& d : *v.declared_shape) {
      info.shape.push_back(d.known() ? d.value : -1);
      info.symbols.push_back(d.symbol);
    }
  }
  return info;
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
    if (profile.is_ok()) popts.device_profile = *profile;
    else std::cerr << "parallax: warning: ignoring " << profile.status().message() << '\n';
  }
  popts.offload_rule = rule == "all"          ? OffloadRule::kAlways
                       : rule == "cost"       ? OffloadRule::kCostModel
                       : rule == "thresholds" ? OffloadRule::kFixedThresholds
                       : calibrated || !options.device_profile.empty() ? OffloadRule::kCostModel
                                                                      : OffloadRule::kAlways;
  return Status::ok();
}

}  // namespace

Status Session::Impl::init(std::unique_ptr<Model> loaded, const SessionOptions& options) {
  if (options.num_threads < 1 || options.num_threads > 1024)
    return error(StatusCode::kInvalidArgument, "num_threads must be between 1 and 1024, got ", options.num_threads);
  cpu_cores = options.cpu_cores;
  std::sort(cpu_cores.begin(), cpu_cores.end());
  PX_RETURN_IF_ERROR(check_allowed(cpu_cores, "SessionOptions::cpu_cores"));
  // More threads than cores given would time-slice an OpenMP team on one
  // core, each member waiting at every barrier for one the OS has switched
  // out (mobilenet_v2, 2 threads on 1 core: 103 ms median against 6.5 ms).
  num_threads = cpu_cores.empty() ? options.num_threads
                                  : std::min(options.num_threads, static_cast<int>(cpu_cores.size()));
  const Graph& g = *loaded->graph;
  // Describe the model as the user wrote it, before any pass rewrites it.
  for (ValueId id : g.inputs) inputs.push_back(describe_value(g.value(id)));
  for (ValueId id : g.outputs) outputs.push_back(describe_value(g.value(id)));
  info.ir_version = loaded->ir_version;
  info.producer = loaded->producer_name + (loaded->producer_version.empty() ? "" : " " + loaded->producer_version);
  for (const auto& [domain, version] : loaded->opsets) info.opsets.emplace_back(domain, version);
  info.num_nodes = g.nodes.size();
  for (const Value& v : g.values)
    if (v.initializer) info.weight_bytes += v.initializer->nbytes();
  PX_ASSIGN_OR_RETURN(ChosenAccelerator chosen, accelerator_for(options));
  OptimizeOptions optimize;
  optimize.channels_last = chosen.backend == nullptr;
  optimize.matmul_epilogues = chosen.backend == nullptr;
  optimize.attention = chosen.backend == nullptr;
  PX_RETURN_IF_ERROR(prepare_graph(*loaded->graph));
  if (options.optimize) PX_RETURN_IF_ERROR(optimize_graph(*loaded->graph, optimize));
  ProgramOptions popts;
  if (chosen.backend) PX_RETURN_IF_ERROR(choose_offload_policy(options, *chosen.backend, popts));
  if (chosen.backend) accelerator_kind = options.accelerator;
  accelerator = chosen.backend;
  popts.accelerator = std::move(chosen.backend);
  popts.accelerator_ops = std::move(chosen.ops);
  popts.num_threads = num_threads;
  popts.cpu_cores = cpu_cores;
  popts.mode = options.mode;
  PX_ASSIGN_OR_RETURN(popts.memory_budget, resolve_memory_budget(options));
  popts.max_arena_growth = options.max_arena_growth;
  popts.check_memory = options.check_memory;
  popts.adapt_schedule = options.adapt_schedule;
  popts.max_tensor_bytes = options.max_tensor_bytes;
  popts.max_loop_iterations = options.max_loop_iterations;
  popts.weight_cache = options.weight_cache;
  record_timeline = options.record_timeline;
  PX_ASSIGN_OR_RETURN(program, Program::compile(loaded->graph, popts));
  // Weights the kernels keep packed are let go here: only their shapes are
  // read again (by shape inference), so the bytes would be a second copy.
  for (ValueId id : program->constants_held_by_kernels()) {
    std::optional<Tensor>& init = loaded->graph->value(id).initializer;
    init = Tensor::view(init->dtype(), init->shape(), nullptr);
  }
  info.offload = program->offload_summary();
  if (options.profile) {
    profiler = std::make_unique<OpProfiler>();
    program->set_observer(profiler.get());
  }
  model = std::move(loaded);
  return Status::ok();
}

std::shared_ptr<WeightCache> make_weight_cache() { return std::make_shared<WeightCache>(); }

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::open(const std::filesystem::path& model_path, const SessionOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  LoadOptions lopts;
  lopts.max_tensor_bytes = options.max_tensor_bytes;
  PX_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model(model_path, lopts));
  auto impl = std::make_unique<Impl>();
  PX_RETURN_IF_ERROR(impl->init(std::move(model), options));
  impl->info.open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Result<std::unique_ptr<Session>> Session::open_from_bytes(std::string_view model_bytes, const SessionOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  LoadOptions lopts;
  lopts.max_tensor_bytes = options.max_tensor_bytes;
  PX_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model_from_bytes(model_bytes, {}, lopts));
  auto impl = std::make_unique<Impl>();
  PX_RETURN_IF_ERROR(impl->init(std::move(model), options));
  impl->info.open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const std::vector<TensorInfo>& Session::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo>& Session::outputs() const { return impl_->outputs; }
const ModelInfo& Session::model_info() const { return impl_->info; }
size_t Session::resident_weight_bytes() const {
  size_t bytes = impl_->program->held_constant_bytes();
  for (const Value& v : impl_->model->graph->values)
    if (v.initializer && v.initializer->raw() != nullptr) bytes += v.initializer->nbytes();
  return bytes;
}

size_t Session::last_arena_bytes() const { return impl_->last_arena_bytes; }
const RunStatistics& Session::last_run_stats() const { return impl_->last_stats; }

Accelerator Session::accelerator() const { return impl_->accelerator_kind; }

AcceleratorCounters Session::accelerator_counters() const {
  return impl_->accelerator ? impl_->accelerator->counters() : AcceleratorCounters{};
}

void Session::reset_accelerator_counters() {
  if (impl_->accelerator) impl_->accelerator->reset_counters();
}

std::vector<OpProfileEntry> Session::op_profile() const {
  std::vector<OpProfileEntry> out;
  if (!impl_->profiler) return out;
  for (const auto& [op, e] : impl_->profiler->by_op()) out.push_back({op, e.calls, e.total_ms});
  return out;
}

Result<std::vector<Tensor>> Session::run(const std::vector<NamedTensor>& inputs,
                                         const std::vector<std::string>& output_names) {
  std::vector<Tensor> ordered(impl_->inputs.size());
  for (const NamedTensor& in : inputs) {
    size_t k = 0;
    while (k < impl_->inputs.size() && impl_->inputs[k].name != in.name) ++k;
    if (k == impl_->inputs.size()) return error(StatusCode::kNotFound, "the model has no input named '", in.name, "'");
    if (!ordered[k].empty()) return error(StatusCode::kInvalidArgument, "input '", in.name, "' is given twice");
    ordered[k] = in.tensor;
  }
  for (size_t k = 0; k < ordered.size(); ++k)
    if (ordered[k].empty()) return error(StatusCode::kInvalidArgument, "input '", impl_->inputs[k].name, "' is missing");

  // Only the outputs asked for are computed; unknown names are refused
  // before any work is done.
  std::vector<size_t> picked;
  std::unique_ptr<bool[]> wanted;  // per graph output; null: all (and no allocation)
  if (!output_names.empty()) wanted = std::make_unique<bool[]>(impl_->outputs.size());
  for (const std::string& name : output_names) {
    size_t k = 0;
    while (k < impl_->outputs.size() && impl_->outputs[k].name != name) ++k;
    if (k == impl_->outputs.size()) return error(StatusCode::kNotFound, "the model has no output named '", name, "'");
    picked.push_back(k);
    wanted[k] = true;
  }

  // The caller's thread runs steps and OpenMP teams: on the session's cores
  // for the run, its own cores afterwards.
  ScopedThreadAffinity pin(impl_->cpu_cores);
  pin_openmp_team(impl_->cpu_cores, impl_->num_threads, impl_.get());
  RunStatistics stats;
  PX_ASSIGN_OR_RETURN(std::vector<Tensor> outputs,
                      impl_->program->run(ordered, {}, &stats, impl_->record_timeline,
                                          std::span<const bool>(wanted.get(), wanted ? impl_->outputs.size() : 0)));
  {
    std::lock_guard<std::mutex> lock(impl_->stats_mutex);
    impl_->last_arena_bytes = stats.arena_bytes;
    impl_->last_stats = std::move(stats);
  }
  if (output_names.empty()) return outputs;
  std::vector<Tensor> named;
  for (size_t k : picked) named.push_back(outputs[k]);
  return named;
}

}  // namespace parallax
