#include "tools/opencl_calibration.h"

// Measures the OpenCL device: nothing to build without one.
#ifdef PARALLAX_HAVE_OPENCL

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "backends/backend.h"
#include "backends/opencl/cl_runtime.h"
#include "backends/opencl/device_memory.h"
#include "backends/opencl/opencl_backend.h"
#include "backends/opencl/program_cache.h"
#include "core/status_macros.h"
#include "runtime/program.h"

namespace parallax::tools {

namespace {

using opencl::cl_status;  // PX_CL_CHECK names it unqualified
using opencl::ClBuffer;
using opencl::ClKernel;
using opencl::ClRuntime;
using opencl::DeviceMemory;

// Median wall time of `reps` calls after `warmup` untimed ones: the median
// ignores the odd run that another process or a page fault slowed down.
Result<double> median_seconds(int warmup, int reps, const std::function<Status()>& f) {
  for (int i = 0; i < warmup; ++i) PX_RETURN_IF_ERROR(f());
  std::vector<double> s;
  for (int i = 0; i < std::max(reps, 1); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    PX_RETURN_IF_ERROR(f());
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  // Values of order 1: no denormals to slow either side down.
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

ValueId add_value(Graph& g, const std::string& name, std::optional<Tensor> init = std::nullopt) {
  Value v;
  v.name = name;
  v.dtype = DataType::kFloat32;
  v.initializer = std::move(init);
  return g.add_value(std::move(v));
}

// One node whose first input is the graph input and whose other inputs are
// constants (weights: uploaded once, as in a real model).
std::shared_ptr<Graph> one_node_graph(const std::string& op, std::vector<Tensor> weights, Attributes attrs) {
  auto g = std::make_shared<Graph>();
  g->name = "calibrate_" + op;
  g->opsets[""] = 13;
  Node n;
  n.name = op;
  n.op_type = op;
  n.opset = 13;
  n.attrs = std::move(attrs);
  const ValueId x = add_value(*g, "x");
  g->value(x).is_graph_input = true;
  g->inputs.push_back(x);
  n.inputs.push_back(x);
  for (size_t i = 0; i < weights.size(); ++i) {
    std::string name = "w";  // built in place: GCC 12 warns (-Wrestrict) on "w" + std::to_string(i)
    name += std::to_string(i);
    n.inputs.push_back(add_value(*g, name, weights[i]));
  }
  n.num_explicit_inputs = n.inputs.size();
  const ValueId y = add_value(*g, "y");
  g->value(y).is_graph_output = true;
  g->outputs.push_back(y);
  n.outputs.push_back(y);
  g->add_node(std::move(n));
  return g;
}

// Median seconds of one run of `graph` on `input`, on the CPU or on the
// device. A device run returns its output on the host, so the time includes
// the device's work, the activation's upload and the result's download.
Result<double> time_graph(const std::shared_ptr<Graph>& graph, const Tensor& input, const ProgramOptions& po,
                          const CalibrateOptions& o) {
  PX_ASSIGN_OR_RETURN(std::unique_ptr<Program> program, Program::compile(graph, po));
  std::vector<Tensor> inputs{input};
  const AcceleratorCounters before = po.accelerator ? po.accelerator->counters() : AcceleratorCounters{};
  PX_ASSIGN_OR_RETURN(
      double s, median_seconds(o.warmup, o.repetitions, [&]() -> Status { return program->run(inputs, {}).status(); }));
  if (po.accelerator) {
    // A figure from the CPU fallback would be a wrong R_acc: refuse it.
    const AcceleratorCounters after = po.accelerator->counters();
    if (after.nodes == before.nodes || after.cpu_fallbacks != before.cpu_fallbacks)
      return error(StatusCode::kInternal, "calibration: ", graph->nodes.front().op_type,
                   " did not run on the OpenCL device (", after.nodes - before.nodes, " device runs, ",
                   after.cpu_fallbacks - before.cpu_fallbacks, " CPU fallbacks)");
  }
  return s;
}

Result<double> dispatch_latency(ClRuntime& rt, DeviceMemory& memory, const CalibrateOptions& o) {
  static const std::string kSource =
      "__kernel void px_calibrate_noop(__global int* x) { if (x[0] == 12345) x[0] = 0; }";
  const std::filesystem::path& dir = o.opencl.program_cache_dir;
  PX_ASSIGN_OR_RETURN(cl_kernel raw, rt.programs(dir.empty() ? opencl::default_cache_dir() : dir)
                                         .kernel(kSource, "px_calibrate_noop"));
  ClKernel k(raw);
  ClBuffer buf;
  PX_RETURN_IF_ERROR(buf.reserve(memory, sizeof(int)));
  cl_mem mem = buf.get();
  PX_CL_CHECK(clSetKernelArg(k.get(), 0, sizeof(cl_mem), &mem), "clSetKernelArg");
  return median_seconds(o.warmup * 5, o.latency_repetitions, [&]() -> Status {
    const size_t global = 1;
    PX_CL_CHECK(clEnqueueNDRangeKernel(rt.queue(), k.get(), 1, nullptr, &global, nullptr, 0, nullptr, nullptr),
                "clEnqueueNDRangeKernel");
    PX_CL_CHECK(clFinish(rt.queue()), "clFinish");
    return Status::ok();
  });
}

Status measure_bandwidth(ClRuntime& rt, DeviceMemory& memory, const CalibrateOptions& o, CalibrationResult& r) {
  const size_t bytes = std::max<size_t>(o.transfer_bytes, 4096);
  ClBuffer buf;
  PX_RETURN_IF_ERROR(buf.reserve(memory, bytes));
  // Touch every page first: the first write must not time page faults.
  std::vector<unsigned char> host(bytes, 1);
  cl_mem mem = buf.get();
  PX_ASSIGN_OR_RETURN(double write_s, median_seconds(o.warmup, o.repetitions, [&]() -> Status {
                        PX_CL_CHECK(
                            clEnqueueWriteBuffer(rt.queue(), mem, CL_TRUE, 0, bytes, host.data(), 0, nullptr, nullptr),
                            "clEnqueueWriteBuffer");
                        return Status::ok();
                      }));
  PX_ASSIGN_OR_RETURN(double read_s, median_seconds(o.warmup, o.repetitions, [&]() -> Status {
                        PX_CL_CHECK(
                            clEnqueueReadBuffer(rt.queue(), mem, CL_TRUE, 0, bytes, host.data(), 0, nullptr, nullptr),
                            "clEnqueueReadBuffer");
                        return Status::ok();
                      }));
  r.transfer_bytes = bytes;
  r.write_bytes_per_s = static_cast<double>(bytes) / write_s;
  r.read_bytes_per_s = static_cast<double>(bytes) / read_s;
  r.profile.bandwidth_bytes_per_s = (r.write_bytes_per_s + r.read_bytes_per_s) / 2;
  r.zero_copy = zero_copy_enabled(o.opencl.zero_copy, rt);
  if (!r.zero_copy) return Status::ok();
  PX_ASSIGN_OR_RETURN(
      double view_s, median_seconds(o.warmup, o.repetitions, [&]() -> Status {
        ClBuffer view;
        PX_RETURN_IF_ERROR(view.view_host(rt.context(), host.data(), bytes, CL_MEM_READ_WRITE));
        cl_int err = CL_SUCCESS;
        void* p = clEnqueueMapBuffer(rt.queue(), view.get(), CL_TRUE, CL_MAP_READ, 0, bytes, 0, nullptr, nullptr, &err);
        PX_CL_CHECK(err, "clEnqueueMapBuffer");
        PX_CL_CHECK(clEnqueueUnmapMemObject(rt.queue(), view.get(), p, 0, nullptr, nullptr), "clEnqueueUnmapMemObject");
        PX_CL_CHECK(clFinish(rt.queue()), "clFinish");
        return Status::ok();
      }));
  r.view_bytes_per_s = static_cast<double>(bytes) / view_s;
  r.profile.bandwidth_bytes_per_s = r.view_bytes_per_s;
  return Status::ok();
}

Status measure_matmul(const std::shared_ptr<Backend>& backend, const CalibrateOptions& o, CalibrationResult& r) {
  const int64_t n = std::max<int64_t>(o.matmul_size, 1);
  std::mt19937 rng(7);
  auto graph = one_node_graph("MatMul", {random_tensor({n, n}, rng)}, {});
  const Tensor a = random_tensor({n, n}, rng);
  r.matmul_macs = static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  ProgramOptions device;
  device.accelerator = backend;
  device.accelerator_ops = {"MatMul"};
  device.offload_rule = OffloadRule::kAlways;  // measure the device even where the cost model would not offload
  PX_ASSIGN_OR_RETURN(r.matmul_device_s, time_graph(graph, a, device, o));
  ProgramOptions cpu;
  cpu.num_threads = r.threads;
  PX_ASSIGN_OR_RETURN(r.matmul_cpu_s, time_graph(graph, a, cpu, o));
  r.profile.accel_macs_per_s = r.matmul_macs / r.matmul_device_s;
  r.profile.cpu_macs_per_s = r.matmul_macs / r.matmul_cpu_s;
  return Status::ok();
}

Status measure_conv(const std::shared_ptr<Backend>& backend, const CalibrateOptions& o, CalibrationResult& r) {
  const int64_t c = std::max<int64_t>(o.conv_channels, 1), hw = std::max<int64_t>(o.conv_size, 1);
  std::mt19937 rng(11);
  Attributes attrs;
  attrs.set_ints("kernel_shape", {3, 3});
  attrs.set_ints("pads", {1, 1, 1, 1});
  auto graph = one_node_graph("Conv", {random_tensor({c, c, 3, 3}, rng), random_tensor({c}, rng)}, std::move(attrs));
  const Tensor x = random_tensor({1, c, hw, hw}, rng);
  r.conv_macs = static_cast<double>(c) * static_cast<double>(c) * 9.0 * static_cast<double>(hw * hw);
  ProgramOptions device;
  device.accelerator = backend;
  device.accelerator_ops = {"Conv"};
  device.offload_rule = OffloadRule::kAlways;  // measure the device even where the cost model would not offload
  PX_ASSIGN_OR_RETURN(r.conv_device_s, time_graph(graph, x, device, o));
  r.conv_macs_per_s = r.conv_macs / r.conv_device_s;
  return Status::ok();
}

}  // namespace

Result<CalibrationResult> calibrate_opencl(const CalibrateOptions& options) {
  PX_ASSIGN_OR_RETURN(std::shared_ptr<Backend> backend, make_backend(Accelerator::kOpenCL, options.opencl));
  std::shared_ptr<ClRuntime> rt = opencl_runtime(*backend);
  if (!rt) return error(StatusCode::kInternal, "the 'opencl' backend has no OpenCL runtime");
  // The latency and bandwidth buffers, apart from any session's memory and limit.
  DeviceMemory memory(rt->context(), 0);
  CalibrationResult r;
  r.profile.name = rt->device_name();
  r.profile_path = backend->calibrated_profile_path();
  r.platform_name = rt->platform_name();
  r.driver_version = rt->driver_version();
  r.repetitions = std::max(options.repetitions, 1);
  r.threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  PX_ASSIGN_OR_RETURN(r.profile.latency_s, dispatch_latency(*rt, memory, options));
  PX_RETURN_IF_ERROR(measure_bandwidth(*rt, memory, options, r));
  PX_RETURN_IF_ERROR(measure_matmul(backend, options, r));
  if (options.conv) PX_RETURN_IF_ERROR(measure_conv(backend, options, r));
  return r;
}

}  // namespace parallax::tools

#endif  // PARALLAX_HAVE_OPENCL
