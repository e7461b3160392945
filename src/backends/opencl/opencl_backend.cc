#include "backends/opencl/opencl_backend.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "backends/opencl/cl_runtime.h"
#include "backends/opencl/clblast_gemm.h"
#include "backends/opencl/device_memory.h"
#include "backends/opencl/ops.h"
#include "backends/opencl/profile_path.h"
#include "backends/opencl/program_cache.h"
#include "core/status_macros.h"
#include "graph/fused_ops.h"

namespace parallax {
namespace {

using opencl::DeviceEnv;
using opencl::DeviceFactory;
using opencl::DeviceSupports;

struct OpEntry {
  DeviceSupports supports;
  DeviceFactory make;
};

const std::map<std::string, OpEntry, std::less<>>& op_table() {
  using namespace opencl;
  static const std::map<std::string, OpEntry, std::less<>> table = {
      {"Add", {supports_binary, make_binary}},     {"Sub", {supports_binary, make_binary}},
      {"Mul", {supports_binary, make_binary}},     {"Div", {supports_binary, make_binary}},
      {"Relu", {supports_unary, make_unary}},      {"Sigmoid", {supports_unary, make_unary}},
      {"Tanh", {supports_unary, make_unary}},      {"Clip", {supports_unary, make_unary}},
      {"LeakyRelu", {supports_unary, make_unary}}, {"HardSwish", {supports_unary, make_unary}},
      {"Conv", {supports_conv, make_conv}},        {"MatMul", {supports_matmul, make_matmul}},
      {"Gemm", {supports_matmul, make_matmul}},    {"MaxPool", {supports_pool, make_pool}},
      {"AveragePool", {supports_pool, make_pool}}, {"GlobalAveragePool", {supports_pool, make_pool}},
      {"Concat", {supports_concat, make_concat}},  {"Softmax", {supports_softmax, make_softmax}},
      {"Resize", {supports_resize, make_resize}},
  };
  return table;
}

// The device context and its compiled programs: costly (PoCL builds a
// program in hundreds of ms), so made once and shared by every session.
Result<std::shared_ptr<opencl::ClRuntime>> shared_runtime() {
  static std::mutex mutex;
  static std::optional<Result<std::shared_ptr<opencl::ClRuntime>>> made;
  std::lock_guard<std::mutex> lock(mutex);
  if (!made) made = opencl::ClRuntime::create();
  return *made;
}

bool use_clblast(GemmProvider gemm) {
  switch (gemm) {
    case GemmProvider::kAuto: return opencl::clblast_available();
    case GemmProvider::kClBlast: return true;
    case GemmProvider::kOwnKernels: return false;
  }
  return false;
}

class OpenCLBackend final : public Backend {
 public:
  OpenCLBackend(std::shared_ptr<opencl::ClRuntime> rt, const OpenClOptions& options)
      : rt_(std::move(rt)),
        cache_dir_(options.program_cache_dir.empty() ? opencl::default_cache_dir() : options.program_cache_dir),
        programs_(&rt_->programs(cache_dir_)),
        memory_(std::make_shared<opencl::DeviceMemory>(rt_->context(), options.memory_limit)),
        zero_copy_(zero_copy_enabled(options.zero_copy, *rt_)),
        clblast_(use_clblast(options.gemm)) {}
  std::string name() const override { return "opencl"; }

  bool supports(const KernelCreateContext& ctx) const override {
    // Standard ops and their fused forms (graph/fused_ops.h), whose
    // epilogues each op's supports() judges.
    if (!is_op_or_fused(ctx.node(), ctx.node().op_type)) return false;
    auto it = op_table().find(ctx.node().op_type);
    return it != op_table().end() && it->second.supports(ctx);
  }

  Result<std::unique_ptr<OpKernel>> create_kernel(const KernelCreateContext& ctx,
                                                  std::unique_ptr<OpKernel>& cpu) override {
    auto it = op_table().find(ctx.node().op_type);
    if (it == op_table().end() || !is_op_or_fused(ctx.node(), ctx.node().op_type))
      return error(StatusCode::kUnsupported, "the OpenCL backend has no kernel for ", ctx.node().op_type);
    const DeviceEnv env{rt_, programs_, memory_, this, zero_copy_, clblast_};
    PX_ASSIGN_OR_RETURN(std::unique_ptr<opencl::DeviceKernel> k, it->second.make(ctx, env));
    k->set_cpu(std::move(cpu));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  // A value made by a device node is read in place by the device nodes that
  // consume it; it is downloaded only if a CPU node (an implicit read by a
  // control-flow node included) or the caller reads it. A host value that
  // several device nodes read is uploaded once per run.
  void connect(const Graph& graph, std::span<OpKernel* const> kernels, std::span<const bool> mine) override {
    std::vector<bool> host_reads(graph.values.size(), false);
    std::vector<std::pair<size_t, size_t>> made_by(graph.values.size(), {SIZE_MAX, 0});  // node, output
    for (ValueId v : graph.outputs) host_reads[v.index()] = true;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
      const Node& node = graph.nodes[n];
      for (size_t o = 0; o < node.outputs.size(); ++o)
        if (node.outputs[o].valid()) made_by[node.outputs[o].index()] = {n, o};
      for (size_t i = 0; i < node.inputs.size(); ++i)
        if (node.inputs[i].valid() && (!mine[n] || i >= node.num_explicit_inputs))
          host_reads[node.inputs[i].index()] = true;
    }
    // Host values (graph inputs, CPU nodes' outputs) that several device
    // reads take: one upload per run (DeviceKernel::SharedUpload).
    std::vector<int> device_reads(graph.values.size(), 0);
    for (size_t n = 0; n < graph.nodes.size(); ++n)
      if (mine[n])
        for (size_t i = 0; i < graph.nodes[n].num_explicit_inputs; ++i)
          if (ValueId v = graph.nodes[n].inputs[i]; v.valid()) ++device_reads[v.index()];
    std::vector<std::shared_ptr<opencl::DeviceKernel::SharedUpload>> shared(graph.values.size());
    for (size_t v = 0; v < graph.values.size(); ++v) {
      const bool from_device = made_by[v].first != SIZE_MAX && mine[made_by[v].first];
      if (device_reads[v] > 1 && !from_device && !graph.values[v].initializer)
        shared[v] = std::make_shared<opencl::DeviceKernel::SharedUpload>();
    }
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
      if (!mine[n]) continue;
      const Node& node = graph.nodes[n];
      auto* k = static_cast<opencl::DeviceKernel*>(kernels[n]);
      for (size_t i = 0; i < node.num_explicit_inputs; ++i)
        if (node.inputs[i].valid() && shared[node.inputs[i].index()]) k->share_input(i, shared[node.inputs[i].index()]);
      for (size_t o = 0; o < node.outputs.size(); ++o)
        if (node.outputs[o].valid()) k->set_host_reads(o, host_reads[node.outputs[o].index()]);
      for (size_t i = 0; i < node.num_explicit_inputs; ++i) {
        if (!node.inputs[i].valid()) continue;
        const auto [p, o] = made_by[node.inputs[i].index()];
        if (p != SIZE_MAX && mine[p]) k->link_input(i, static_cast<opencl::DeviceKernel*>(kernels[p]), o);
      }
    }
  }

  uint64_t device_memory_bytes() const override { return memory_->bytes_in_use(); }

  std::filesystem::path calibrated_profile_path() const override {
    return opencl::calibrated_profile_path(cache_dir_, rt_->device_name());
  }

  const std::shared_ptr<opencl::ClRuntime>& runtime() const { return rt_; }

 private:
  std::shared_ptr<opencl::ClRuntime> rt_;
  std::filesystem::path cache_dir_;
  opencl::ProgramCache* programs_;  // rt_'s, for cache_dir_
  std::shared_ptr<opencl::DeviceMemory> memory_;
  bool zero_copy_, clblast_;
};

}  // namespace

Result<std::shared_ptr<Backend>> make_opencl_backend(const OpenClOptions& options) {
  // Settings first: a setting this build cannot honour is the caller's
  // error on every machine, not a missing device to fall back from.
  if (options.gemm == GemmProvider::kClBlast && !opencl::clblast_available())
    return error(StatusCode::kInvalidArgument,
                 "OpenCL GEMMs through CLBlast were asked for, but this build of Parallax has no CLBlast (Debian: "
                 "libclblast-dev)");
  PX_ASSIGN_OR_RETURN(std::shared_ptr<opencl::ClRuntime> rt, shared_runtime());
  return std::shared_ptr<Backend>(std::make_shared<OpenCLBackend>(std::move(rt), options));
}

std::shared_ptr<opencl::ClRuntime> opencl_runtime(const Backend& backend) {
  auto* ocl = dynamic_cast<const OpenCLBackend*>(&backend);
  return ocl ? ocl->runtime() : nullptr;
}

bool zero_copy_enabled(ZeroCopy setting, const opencl::ClRuntime& rt) {
  switch (setting) {
    case ZeroCopy::kAuto: return rt.host_unified();
    case ZeroCopy::kOn: return true;
    case ZeroCopy::kOff: return false;
  }
  return false;
}

const std::vector<std::string>& opencl_op_types() {
  static const std::vector<std::string> ops = [] {
    std::vector<std::string> v;
    for (const auto& [op, e] : op_table()) v.push_back(op);
    return v;
  }();
  return ops;
}

}  // namespace parallax
