// The OpenCL device Parallax runs on: the first platform that has a device
// (GPU preferred, then any type), one context and one in-order command queue,
// and the process's program cache (program_cache.h). Small RAII wrappers for
// the handles the kernels hold.
#pragma once

#include <CL/cl.h>

#include <memory>
#include <string>

#include "parallax/status.h"

namespace parallax::opencl {

// "CL_OUT_OF_RESOURCES (-5)".
std::string cl_error_name(cl_int err);
// A Status for a failed OpenCL call, naming the call and the error.
Status cl_status(cl_int err, const char* what);

#define PX_CL_CHECK(call, what)                                       \
  do {                                                                \
    cl_int px_cl_err_ = (call);                                       \
    if (px_cl_err_ != CL_SUCCESS) return cl_status(px_cl_err_, what); \
  } while (0)

class ProgramCache;
class BufferPool;

class ClRuntime {
 public:
  // Opens the first platform with a device. Errors name what is missing
  // (no ICD / platform, no device) so that the caller can fall back to the CPU.
  static Result<std::shared_ptr<ClRuntime>> create();
  ~ClRuntime();
  ClRuntime(const ClRuntime&) = delete;
  ClRuntime& operator=(const ClRuntime&) = delete;

  cl_context context() const { return context_; }
  cl_device_id device() const { return device_; }
  // In-order: the commands of one node run in the order it enqueued them.
  // OpenCL queues are thread-safe; nodes on several threads share it.
  cl_command_queue queue() const { return queue_; }
  const std::string& device_name() const { return device_name_; }
  const std::string& driver_version() const { return driver_version_; }
  const std::string& platform_name() const { return platform_name_; }
  size_t max_work_group_size() const { return max_work_group_; }
  // The device reads and writes host memory directly (CL_DEVICE_HOST_UNIFIED_MEMORY:
  // integrated GPUs, PoCL's CPU device).
  bool host_unified() const { return host_unified_; }
  // Boundary values are handed over as views of host memory (CL_MEM_USE_HOST_PTR)
  // instead of copied: on a host-unified device unless PARALLAX_OPENCL_ZERO_COPY=0
  // (read when asked: device kernels ask once, when made, so a session keeps its
  // setting and a test or benchmark can compare).
  bool zero_copy() const;
  ProgramCache& programs() { return *programs_; }
  // Buffers of device-only values (buffer_pool.h).
  BufferPool& buffers() { return *buffers_; }

 private:
  ClRuntime() = default;
  cl_context context_ = nullptr;
  cl_device_id device_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::string device_name_, driver_version_, platform_name_;
  size_t max_work_group_ = 1;
  bool host_unified_ = false;
  std::unique_ptr<ProgramCache> programs_;
  std::unique_ptr<BufferPool> buffers_;
};

// Bytes of device buffers Parallax holds now (every ClBuffer, all sessions).
size_t device_bytes_in_use();

// Owns one cl_mem; grows (reallocates) on demand. Allocation honours
// PARALLAX_OPENCL_MEMORY_LIMIT (bytes, K/M/G suffixes), so that running out
// of device memory can be reproduced on any device.
class ClBuffer {
 public:
  ClBuffer() = default;
  ~ClBuffer() { reset(); }
  ClBuffer(ClBuffer&& o) noexcept : mem_(o.mem_), bytes_(o.bytes_), host_view_(o.host_view_) {
    o.mem_ = nullptr, o.bytes_ = 0, o.host_view_ = false;
  }
  ClBuffer& operator=(ClBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      mem_ = o.mem_, bytes_ = o.bytes_, host_view_ = o.host_view_;
      o.mem_ = nullptr, o.bytes_ = 0, o.host_view_ = false;
    }
    return *this;
  }
  // At least `bytes` (at least 4: OpenCL refuses empty buffers) of device memory.
  Status reserve(cl_context ctx, size_t bytes);
  // A view of `bytes` of host memory at `host` (CL_MEM_USE_HOST_PTR): no
  // device memory, no copy on a host-unified device. `host` must outlive
  // every command that uses the view.
  Status view_host(cl_context ctx, void* host, size_t bytes, cl_mem_flags access);
  cl_mem get() const { return mem_; }
  size_t bytes() const { return bytes_; }
  bool is_host_view() const { return host_view_; }
  void reset();

 private:
  cl_mem mem_ = nullptr;
  size_t bytes_ = 0;
  bool host_view_ = false;
};

// Owns one cl_kernel. A cl_kernel holds its argument values, so every node
// gets its own (setting arguments is not thread-safe on a shared one).
class ClKernel {
 public:
  ClKernel() = default;
  explicit ClKernel(cl_kernel k) : k_(k) {}
  ~ClKernel() {
    if (k_) clReleaseKernel(k_);
  }
  ClKernel(ClKernel&& o) noexcept : k_(o.k_) { o.k_ = nullptr; }
  ClKernel& operator=(ClKernel&& o) noexcept {
    std::swap(k_, o.k_);
    return *this;
  }
  cl_kernel get() const { return k_; }

 private:
  cl_kernel k_ = nullptr;
};

}  // namespace parallax::opencl
