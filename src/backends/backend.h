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
// counted (BackendCounters).
//
//   PX_ASSIGN_OR_RETURN(std::shared_ptr<Backend> ocl, shared_backend("opencl"));
//   ProgramOptions po;
//   po.accelerator = ocl;
//   po.accelerator_ops = {"Conv", "Relu"};   // empty: everything it supports
//   ... Program::compile(graph, po) ...; ocl->counters().dispatches
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "core/status_macros.h"
#include "kernels/op_kernel.h"

namespace parallax {

// What the device did, summed over every kernel of the backend since the
// last reset. Weights (constant inputs) are uploaded once when the kernel is
// made and counted apart from the per-run traffic.
struct BackendCounters {
  uint64_t bytes_to_device = 0;
  uint64_t bytes_from_device = 0;
  uint64_t transfers_to_device = 0;    // buffer writes
  uint64_t transfers_from_device = 0;  // buffer reads
  uint64_t host_views = 0;             // values handed over without a copy (views of host memory)
  uint64_t host_view_bytes = 0;
  uint64_t dispatches = 0;     // device kernels enqueued
  uint64_t nodes = 0;          // node executions on the device
  uint64_t cpu_fallbacks = 0;  // executions of a device node that ran its CPU kernel instead
  uint64_t weight_bytes = 0;   // constant inputs uploaded at kernel creation
  uint64_t weight_transfers = 0;
  uint64_t device_bytes = 0;  // device memory held now (weights, buffers, free pool), not a flow
};

// What happened between two readings of the counters (after - before;
// device_bytes: after's).
BackendCounters operator-(const BackendCounters& after, const BackendCounters& before);

// "opencl: 12 nodes, 14 dispatches, 25 uploads (1.2 MB), 12 downloads (0.9 MB), 0 zero-copy (0.00 MB),
//  0 CPU fallbacks; weights 9 uploads (3.4 MB); device memory 5.1 MB"
std::string format_counters(std::string_view backend_name, const BackendCounters& c);

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

  BackendCounters counters() const;
  // Device memory the backend holds now (BackendCounters::device_bytes).
  virtual uint64_t device_memory_bytes() const { return 0; }
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

// The process-wide backend called `name` ("opencl"), made on first use: a
// device context and its compiled programs are costly and shared by every
// session. An error (no such backend in this build, no OpenCL platform or
// device) names the problem; it is remembered, not retried.
Result<std::shared_ptr<Backend>> shared_backend(std::string_view name);

// An op list: "Conv,Relu,Add" or the path of a file with op names separated
// by commas, spaces or newlines ('#' starts a comment). A word that contains
// '/' or '.', or names an existing file, is read as a file.
Result<std::set<std::string>> parse_op_list(std::string_view list_or_file);

}  // namespace parallax
