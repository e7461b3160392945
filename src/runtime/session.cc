#include "parallax/session.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

#include "backends/backend.h"
#include "core/exception_status.h"
#include "core/status_macros.h"
#include "format/onnx_loader.h"
#include "graph/passes/passes.h"
#include "kernels/weight_cache.h"
#include "runtime/compiled_model.h"
#include "runtime/op_profiler.h"
#include "runtime/openmp_affinity.h"

namespace parallax {

// Internal: hidden, although nested in an exported class.
struct [[gnu::visibility("hidden")]] Session::Impl {
  CompiledModel compiled;
  std::vector<TensorInfo> inputs, outputs;
  ModelInfo info;
  size_t last_arena_bytes = 0;
  RunStatistics last_stats;
  bool record_timeline = false;
  std::mutex stats_mutex;  // runs from several threads each publish their statistics
  std::unique_ptr<OpProfiler> profiler;

  // Describes `loaded` and compiles it under `options` into this session.
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

std::vector<int> big_cores() {
  return biggest_cpus(allowed_cpus());
}

Result<ExecutionMode> parse_execution_mode(std::string_view name) {
  for (ExecutionMode m : {ExecutionMode::kSequential, ExecutionMode::kLayer, ExecutionMode::kDataflow})
    if (name == execution_mode_name(m)) return m;
  return error(StatusCode::kInvalidArgument, "unknown execution mode '", name,
               "' (expected sequential, layer or dataflow)");
}

namespace {

TensorInfo describe_value(const Value& v) {
  TensorInfo info;
  info.name = v.name;
  info.dtype = v.initializer ? v.initializer->dtype() : v.dtype;
  info.element_type = v.sequence_element;
  info.optional = v.optional;
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

}  // namespace

Status Session::Impl::init(std::unique_ptr<Model> loaded, const SessionOptions& options) {
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
  PX_ASSIGN_OR_RETURN(compiled, compile_model(std::move(loaded), options));
  record_timeline = options.record_timeline;
  info.offload = compiled.program->offload_summary();
  if (options.profile) {
    profiler = std::make_unique<OpProfiler>();
    compiled.program->set_observer(profiler.get());
  }
  return Status::ok();
}

std::shared_ptr<WeightCache> make_weight_cache() {
  return std::make_shared<WeightCache>();
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

// The public entry points below return every failure as a Status, an
// exception thrown inside (out of memory, a library's own) included.
Result<std::unique_ptr<Session>> Session::open(const std::filesystem::path& model_path, const SessionOptions& options) {
  return return_status_on_exception("Session::open", [&] { return open_impl(model_path, options); });
}

Result<std::unique_ptr<Session>> Session::open_from_bytes(std::string_view model_bytes, const SessionOptions& options) {
  return return_status_on_exception("Session::open_from_bytes",
                                    [&] { return open_from_bytes_impl(model_bytes, options); });
}

Result<std::vector<Tensor>> Session::run(const std::vector<NamedTensor>& inputs,
                                         const std::vector<std::string>& output_names) {
  return return_status_on_exception("Session::run", [&] { return run_impl(inputs, output_names); });
}

Result<std::unique_ptr<Session>> Session::open_impl(const std::filesystem::path& model_path,
                                                    const SessionOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  LoadOptions lopts;
  lopts.max_tensor_bytes = options.max_tensor_bytes;
  PX_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model(model_path, lopts));
  auto impl = std::make_unique<Impl>();
  PX_RETURN_IF_ERROR(impl->init(std::move(model), options));
  impl->info.open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Result<std::unique_ptr<Session>> Session::open_from_bytes_impl(std::string_view model_bytes,
                                                               const SessionOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  LoadOptions lopts;
  lopts.max_tensor_bytes = options.max_tensor_bytes;
  PX_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model_from_bytes(model_bytes, {}, lopts));
  auto impl = std::make_unique<Impl>();
  PX_RETURN_IF_ERROR(impl->init(std::move(model), options));
  impl->info.open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const std::vector<TensorInfo>& Session::inputs() const {
  return impl_->inputs;
}
const std::vector<TensorInfo>& Session::outputs() const {
  return impl_->outputs;
}
const ModelInfo& Session::model_info() const {
  return impl_->info;
}
size_t Session::resident_weight_bytes() const {
  size_t bytes = impl_->compiled.program->held_constant_bytes();
  for (const Value& v : impl_->compiled.model->graph->values)
    if (v.initializer && v.initializer->raw() != nullptr) bytes += v.initializer->nbytes();
  return bytes;
}

size_t Session::last_arena_bytes() const {
  return impl_->last_arena_bytes;
}
const RunStatistics& Session::last_run_stats() const {
  return impl_->last_stats;
}

Accelerator Session::accelerator() const {
  return impl_->compiled.accelerator_kind;
}

AcceleratorCounters Session::accelerator_counters() const {
  return impl_->compiled.accelerator ? impl_->compiled.accelerator->counters() : AcceleratorCounters{};
}

void Session::reset_accelerator_counters() {
  if (impl_->compiled.accelerator) impl_->compiled.accelerator->reset_counters();
}

std::vector<OpProfileEntry> Session::op_profile() const {
  std::vector<OpProfileEntry> out;
  if (!impl_->profiler) return out;
  for (const auto& [op, e] : impl_->profiler->by_op()) out.push_back({op, e.calls, e.total_ms});
  return out;
}

Result<std::vector<Tensor>> Session::run_impl(const std::vector<NamedTensor>& inputs,
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
    if (ordered[k].empty())
      return error(StatusCode::kInvalidArgument, "input '", impl_->inputs[k].name, "' is missing");

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
  ScopedThreadAffinity pin(impl_->compiled.cpu_cores);
  pin_openmp_team(impl_->compiled.cpu_cores, impl_->compiled.num_threads, impl_.get());
  RunStatistics stats;
  PX_ASSIGN_OR_RETURN(
      std::vector<Tensor> outputs,
      impl_->compiled.program->run(ordered, {}, &stats, impl_->record_timeline,
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
