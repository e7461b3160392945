// The base of every OpenCL node kernel: per-node offload inside the ordinary
// OpKernel contract.
//
// infer() is the CPU kernel's, so output shapes and types are exactly what
// the CPU would produce. compute() uploads the inputs (constant inputs were
// uploaded once when the kernel was made), enqueues the device kernel(s),
// and reads the outputs back with a blocking read, which waits on this
// node's commands in the in-order queue. Inputs and outputs are copied on
// every run: keeping a tensor on the device from one device node to the next
// (region residency) is not done yet, so a chain of N device nodes pays N
// round trips; the counters show it.
//
// A shape the device code does not handle (run_device() returns false) and a
// device error (out of device memory, a failed enqueue) run the node's CPU
// kernel instead; an error also prints one warning and keeps that node on the
// CPU for the rest of the program's life.
#pragma once

#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/opencl/cl_runtime.h"
#include "backends/opencl/program_cache.h"

namespace parallax::opencl {

struct DeviceEnv {
  std::shared_ptr<ClRuntime> rt;
  Backend* backend = nullptr;
};

class DeviceKernel : public OpKernel {
 public:
  explicit DeviceKernel(const DeviceEnv& env) : env_(env) {}
  void set_cpu(std::unique_ptr<OpKernel> cpu) { cpu_ = std::move(cpu); }

  Status infer(InferContext& ctx) const override { return cpu_->infer(ctx); }
  Status compute(ComputeContext& ctx) final;

 protected:
  // Runs the node on the device. false: these shapes are not handled here
  // (the CPU kernel runs instead); an error: the device failed.
  virtual Result<bool> run_device(ComputeContext& ctx) = 0;

  ClRuntime& rt() const { return *env_.rt; }
  Result<ClKernel> make_kernel(const std::string& source, const char* name, const std::string& options = "");
  // At creation: uploads input i now if it is a constant (weights), once.
  Status upload_constant(const KernelCreateContext& ctx, size_t i);
  bool is_constant(size_t i) const { return i < constants_.size() && constants_[i].get() != nullptr; }
  // The device copy of input i: the constant's, or a fresh upload of this run's value.
  Result<cl_mem> input(ComputeContext& ctx, size_t i);
  // The device buffer for output i (at least `bytes`), and its read-back.
  Result<cl_mem> output(size_t i, size_t bytes);
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
  std::unique_ptr<OpKernel> cpu_;
  std::vector<ClBuffer> constants_, inputs_, outputs_, scratch_;
  bool device_failed_ = false;
};

// Narrowing helpers for kernel arguments (the device code indexes with int).
inline cl_int ci(int64_t v) { return static_cast<cl_int>(v); }
inline bool fits_int(int64_t v) { return v >= 0 && v < INT_MAX; }

// Source of the fused activation shared by Conv and the unary kernel:
// codes 0 none, 1 Relu, 2 Clip(a, b), 3 LeakyRelu(a), 4 Sigmoid, 5 HardSwish, 6 Tanh.
extern const char* const kActivationSource;
enum ActivationCode : cl_int { kActNone = 0, kActRelu, kActClip, kActLeakyRelu, kActSigmoid, kActHardSwish, kActTanh };

// Checks for supports(): the node has no attribute outside `known`, and
// inputs [0, n) that are present are float32 or of a type known only at run
// time (models without value_info: the kernel checks the type when it runs
// and leaves anything but float32 to the CPU kernel).
bool only_attributes(const KernelCreateContext& ctx, std::initializer_list<const char*> known);
bool float_inputs(const KernelCreateContext& ctx, size_t n);

}  // namespace parallax::opencl
