// The accelerator contract: a Backend says which nodes it can run and makes
// an OpKernel for each of them, so that Program::compile can put a device
// kernel where the CPU registry's kernel would be (ProgramOptions::accelerator).
//
// Device kernels keep the ordinary kernel contract. connect() tells the
// backend which neighbours are its own, so a value passed from one device
// node to the next stays on the device (a region's transfers happen only at
// its boundary), and a node whose commands still touch host memory when
// compute() returns ends its step later (ComputeContext::defer): the
// scheduler runs CPU branches meanwhile. Every transfer and dispatch is
// counted (AcceleratorCounters).
//
// Each session makes its own Backend, with its own settings and counters;
// what is costly to make (the device context, compiled programs) is shared
// underneath by every backend of the process.
//
//   PX_ASSIGN_OR_RETURN(std::shared_ptr<Backend> ocl, make_backend(Accelerator::kOpenCL, {}));
//   ProgramOptions po;
//   po.accelerator = ocl;
//   po.accelerator_ops = {"Conv", "Relu"};   // empty: everything it supports
//   ... Program::compile(graph, po) ...; ocl->counters().dispatches
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/status_macros.h"
#include "kernels/op_kernel.h"
#include "parallax/session.h"

namespace parallax {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // True only when the node's op, opset, attributes and declared input
  // dtypes are all implemented on the device. Shapes are not known when a
  // program is compiled; a device kernel whose run-time shapes it cannot
  // handle runs the node's CPU kernel (counted in cpu_fallbacks).
  virtual bool supports(const KernelCreateContext& ctx) const = 0;

  // The device kernel for a supported node. `cpu` is the registry's kernel
  // for the same node: the device kernel keeps it for infer() (so shapes and
  // types are exactly the CPU's) and as its fallback. It is moved from only
  // when the result is ok, so the caller can still use it after an error.
  virtual Result<std::unique_ptr<OpKernel>> create_kernel(const KernelCreateContext& ctx,
                                                          std::unique_ptr<OpKernel>& cpu) = 0;

  // Called once per program, after every kernel is made: `kernels[n]` is
  // node n's kernel and `mine[n]` says whether this backend made it. Lets the
  // backend keep values on the device between its own nodes and copy only
  // what crosses to the CPU. A backend that does not override it copies every
  // input and output of every node.
  virtual void connect(const Graph& /*graph*/, std::span<OpKernel* const> /*kernels*/, std::span<const bool> /*mine*/) {
  }

  // What this backend's kernels did (a backend serves one session).
  AcceleratorCounters counters() const;
  // Device memory the backend holds now (AcceleratorCounters::device_bytes).
  virtual uint64_t device_memory_bytes() const { return 0; }
  // Where `parallax calibrate` keeps the measured profile of this backend's
  // device (partition/device_profile.h); empty: no such place.
  virtual std::filesystem::path calibrated_profile_path() const { return {}; }
  // Zeroes the per-run counters (weights, uploaded once per kernel, stay).
  void reset_counters();

  // For the backend's kernels.
  void count_upload(size_t bytes) { add(bytes_to_, bytes), add(uploads_, 1); }
  void count_download(size_t bytes) { add(bytes_from_, bytes), add(downloads_, 1); }
  void count_host_view(size_t bytes) { add(view_bytes_, bytes), add(views_, 1); }
  void count_dispatch() { add(dispatches_, 1); }
  void count_node() { add(nodes_, 1); }
  void count_fallback() { add(fallbacks_, 1); }
  void count_weights(size_t bytes) { add(weight_bytes_, bytes), add(weight_uploads_, 1); }

 private:
  static void add(std::atomic<uint64_t>& c, uint64_t v) { c.fetch_add(v, std::memory_order_relaxed); }
  std::atomic<uint64_t> bytes_to_{0}, bytes_from_{0}, uploads_{0}, downloads_{0}, views_{0}, view_bytes_{0},
      dispatches_{0}, nodes_{0}, fallbacks_{0}, weight_bytes_{0}, weight_uploads_{0};
};

// A new backend for one session, with the settings of `opencl` (for
// kOpenCL). Errors: kInvalidArgument for settings that cannot be honoured
// (the session must not open); kUnsupported when this build or machine has
// no such device (the session may run on the CPU instead). kNone is not a
// backend: kInvalidArgument.
Result<std::shared_ptr<Backend>> make_backend(Accelerator accelerator, const OpenClOptions& opencl);

}  // namespace parallax
