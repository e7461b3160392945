// The base of every OpenCL node kernel.
//
// infer() is the CPU kernel's, so output shapes and types are exactly what
// the CPU would produce. compute() enqueues the node's commands on the
// in-order queue and returns without waiting where it can:
//
// * Residency. connect() (opencl_backend.cc) links each input made by
//   another device node to that node's output buffer, and marks the outputs
//   that some CPU node or the caller reads. An input whose producer ran on
//   the device is read in place (no upload); an output only device nodes
//   read is not downloaded. So a region of device nodes pays transfers only
//   at its boundary, and the counters show it.
// * Device memory. An output that only device nodes read takes a buffer
//   from the session's BufferPool when its node runs; the last of its
//   readers gives it back once its commands are enqueued (reader_done), so
//   device memory follows the values' lifetimes.
// * Zero-copy. With zero-copy on (OpenClOptions::zero_copy; by default
//   where the device shares host memory) a value that crosses the boundary is not copied: the node's kernel reads
//   its host input, or writes its host output, through a view of the host
//   tensor (CL_MEM_USE_HOST_PTR), made for this step and released when it
//   ends. An output written through a view counts as living on the host, so
//   device consumers view it too. Counted as zero-copy, not as transfers.
// * Completion. A node that copied or viewed host memory must not end its
//   step before the queue is past those commands (the host buffers may be
//   reused or read right after): it defers its end to an event callback
//   (ComputeContext::defer), and the scheduler runs CPU steps meanwhile. A
//   node that only touched device memory ends at once: the in-order queue
//   orders it before any later device node.
//
// A shape the device code does not handle (run_device() returns false) and a
// device error (out of device memory, a failed enqueue) run the node's CPU
// kernel instead, after fetching any input that lives only on the device; an
// error also prints one warning and keeps that node on the CPU for the rest
// of the program's life.
#pragma once

#include <atomic>
#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/opencl/cl_runtime.h"
#include "backends/opencl/device_memory.h"
#include "backends/opencl/program_cache.h"

namespace parallax::opencl {

// What the kernels of one session share: the process's device, and the
// session's programs folder, memory, settings and counters.
struct DeviceEnv {
  std::shared_ptr<ClRuntime> rt;
  ProgramCache* programs = nullptr;      // owned by rt
  std::shared_ptr<DeviceMemory> memory;  // the session's: kernels keep it alive for their buffers
  Backend* backend = nullptr;            // counts what the kernels do
  bool zero_copy = false;                // hand boundary values over as views of host memory
  bool clblast = false;                  // GEMMs through CLBlast (clblast_gemm.h)
};

class DeviceKernel : public OpKernel {
 public:
  explicit DeviceKernel(const DeviceEnv& env) : env_(env), zero_copy_(env.zero_copy) {}
  ~DeviceKernel() override;
  void set_cpu(std::unique_ptr<OpKernel> cpu) { cpu_ = std::move(cpu); }

  // Residency wiring (connect()): input i is output `output` of `producer`;
  // output o is (or is not) read on the host.
  // Each link counts one device reader of the producer's output.
  void link_input(size_t i, DeviceKernel* producer, size_t output);
  void set_host_reads(size_t o, bool host_reads);
  // One upload per run of a host value that several device nodes read:
  // the first reader of a run copies it, the others read that buffer.
  struct SharedUpload {
    std::mutex mutex;
    ClBuffer buffer;
    uint64_t run = 0;  // ComputeContext::run_id of the last copy
  };
  void share_input(size_t i, std::shared_ptr<SharedUpload> upload);

  Status infer(InferContext& ctx) const override { return cpu_->infer(ctx); }
  Status compute(ComputeContext& ctx) final;

 protected:
  // Runs the node on the device. false: these shapes are not handled here
  // (the CPU kernel runs instead); an error: the device failed.
  virtual Result<bool> run_device(ComputeContext& ctx) = 0;

  ClRuntime& rt() const { return *env_.rt; }
  DeviceMemory& memory() const { return *env_.memory; }
  Result<ClKernel> make_kernel(const std::string& source, const char* name, const std::string& options = "");
  // At creation: uploads input i now if it is a constant (weights), once.
  Status upload_constant(const KernelCreateContext& ctx, size_t i);
  bool is_constant(size_t i) const { return i < constants_.size() && constants_[i].get() != nullptr; }
  // Input i on the device: the constant's buffer, the producing device
  // node's buffer, a view of the host tensor, or an upload of it.
  Result<cl_mem> input(ComputeContext& ctx, size_t i);
  // Where the kernel writes output i (a device buffer or a view of the host
  // tensor); download() then makes it visible to its readers.
  Result<cl_mem> output(ComputeContext& ctx, size_t i);
  Status download(ComputeContext& ctx, size_t i);
  // A scratch device buffer owned by the kernel (slot = the caller's index).
  Result<cl_mem> scratch(size_t slot, size_t bytes);
  // Uploads host data into a scratch buffer (index tables and the like).
  Result<cl_mem> upload_scratch(size_t slot, const void* data, size_t bytes);
  Status dispatch(const ClKernel& k, cl_uint dims, const size_t* global, const size_t* local = nullptr);

  template <typename... Args>
  static Status set_args(const ClKernel& k, const Args&... args) {
    cl_uint index = 0;
    cl_int err = CL_SUCCESS;
    ((err = err == CL_SUCCESS ? clSetKernelArg(k.get(), index++, sizeof(Args), &args) : err), ...);
    if (err != CL_SUCCESS) return cl_status(err, "clSetKernelArg");
    return Status::ok();
  }

  DeviceEnv env_;

 private:
  // Where this run's value of an output lives.
  enum Where : uint8_t { kHost = 1, kDevice = 2, kBoth = 3 };
  struct Source {
    DeviceKernel* producer = nullptr;
    size_t output = 0;
  };
  Where where(size_t o) const;
  void set_where(size_t o, Where w);
  // Output o is device-only: its buffer comes from the pool, run by run.
  bool pooled(size_t o) const {
    return o < host_reads_.size() && !host_reads_[o] && o < device_readers_.size() && device_readers_[o] > 0;
  }
  // A device reader of output o has enqueued everything that reads it; the
  // last one of this run gives the buffer back to the pool.
  void reader_done(size_t o);
  void readers_done();  // reader_done on every producer this node reads from
  // Makes output o's host tensor current (blocking read) if only the device has it.
  Status fetch_to_host(size_t o, Tensor& host);
  // Ends the step once the queue is past this node's host copies and views.
  Status end_after_copies(ComputeContext& ctx);
  Status run_on_cpu(ComputeContext& ctx);

  std::unique_ptr<OpKernel> cpu_;
  std::vector<ClBuffer> constants_, inputs_, outputs_, scratch_;
  std::vector<ClBuffer> views_;                        // this step's views of host tensors: released when it ends
  std::vector<cl_mem> output_views_;                   // per output: its view this step (null: a device buffer)
  std::vector<Source> sources_;                        // per input
  std::vector<int> device_readers_;                    // per output: device input slots linked to it
  std::unique_ptr<std::atomic<int>[]> readers_left_;   // per output: this run's readers yet to finish with it
  std::vector<std::shared_ptr<SharedUpload>> shared_;  // per input; null: this node's own copy
  std::vector<char> host_reads_;                       // per output; absent: read on the host
  std::unique_ptr<std::atomic<uint8_t>[]> where_;      // per output, this run
  size_t num_outputs_ = 0;
  std::mutex fetch_mutex_;  // two CPU consumers may fetch the same output
  bool host_io_ = false;    // this compute() enqueued a copy from/to or a view of host memory
  bool device_failed_ = false;
  const bool zero_copy_;  // DeviceEnv::zero_copy
};

// Narrowing helpers for kernel arguments (the device code indexes with int).
inline cl_int ci(int64_t v) {
  return static_cast<cl_int>(v);
}
inline bool fits_int(int64_t v) {
  return v >= 0 && v < INT_MAX;
}

// Source of the fused activation shared by Conv and the unary kernel:
// codes 0 none, 1 Relu, 2 Clip(a, b), 3 LeakyRelu(a), 4 Sigmoid, 5 HardSwish, 6 Tanh.
extern const char* const kActivationSource;
enum ActivationCode : cl_int { kActNone = 0, kActRelu, kActClip, kActLeakyRelu, kActSigmoid, kActHardSwish, kActTanh, kActSwish, kActHardSigmoid };

// Checks for supports(): the node has no attribute outside `known`, and
// inputs [0, n) that are present are float32 or of a type known only at run
// time (models without value_info: the kernel checks the type when it runs
// and leaves anything but float32 to the CPU kernel).
bool only_attributes(const KernelCreateContext& ctx, std::initializer_list<const char*> known);
bool float_inputs(const KernelCreateContext& ctx, size_t n);

}  // namespace parallax::opencl
