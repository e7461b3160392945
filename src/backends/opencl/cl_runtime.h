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

#define PX_CL_CHECK(call, what)                                \
  do {                                                         \
    cl_int px_cl_err_ = (call);                                \
    if (px_cl_err_ != CL_SUCCESS) return cl_status(px_cl_err_, what); \
  } while (0)

class ProgramCache;

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
  ProgramCache& programs() { return *programs_; }

 private:
  ClRuntime() = default;
  cl_context context_ = nullptr;
  cl_device_id device_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::string device_name_, driver_version_, platform_name_;
  size_t max_work_group_ = 1;
  std::unique_ptr<ProgramCache> programs_;
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
  ClBuffer(ClBuffer&& o) noexcept : mem_(o.mem_), bytes_(o.bytes_) { o.mem_ = nullptr, o.bytes_ = 0; }
  ClBuffer& operator=(ClBuffer&& o) noexcept {
    if (this != &o) reset(), mem_ = o.mem_, bytes_ = o.bytes_, o.mem_ = nullptr, o.bytes_ = 0;
    return *this;
  }
  // At least `bytes` (at least 4: OpenCL refuses empty buffers).
  Status reserve(cl_context ctx, size_t bytes);
  cl_mem get() const { return mem_; }
  size_t bytes() const { return bytes_; }
  void reset();

 private:
  cl_mem mem_ = nullptr;
  size_t bytes_ = 0;
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
