// The OpenCL device Parallax runs on: the first platform that has a device
// (GPU preferred, then any type), one context and one in-order command queue,
// and the process's program caches (program_cache.h), all shared by every
// session. Small RAII wrappers for the handles the kernels hold.
#pragma once

#include <CL/cl.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
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
class DeviceMemory;

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
  // The programs built for this device and kept on disk in `dir`, made on
  // first use; it lives as long as the runtime. Sessions that name the same
  // folder share one cache, so a program is built once per process.
  ProgramCache& programs(const std::filesystem::path& dir);

 private:
  ClRuntime() = default;
  cl_context context_ = nullptr;
  cl_device_id device_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::string device_name_, driver_version_, platform_name_;
  size_t max_work_group_ = 1;
  bool host_unified_ = false;
  std::mutex programs_mutex_;
  std::map<std::filesystem::path, std::unique_ptr<ProgramCache>> programs_;  // by folder
};

// Owns one cl_mem; grows (reallocates) on demand. Device memory is charged
// to a session's DeviceMemory (device_memory.h), which enforces its limit.
class ClBuffer {
 public:
  ClBuffer() = default;
  ~ClBuffer() { reset(); }
  ClBuffer(ClBuffer&& o) noexcept : mem_(o.mem_), memory_(o.memory_), bytes_(o.bytes_), host_view_(o.host_view_) {
    o.mem_ = nullptr, o.memory_ = nullptr, o.bytes_ = 0, o.host_view_ = false;
  }
  ClBuffer& operator=(ClBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      mem_ = o.mem_, memory_ = o.memory_, bytes_ = o.bytes_, host_view_ = o.host_view_;
      o.mem_ = nullptr, o.memory_ = nullptr, o.bytes_ = 0, o.host_view_ = false;
    }
    return *this;
  }
  // At least `bytes` (at least 4: OpenCL refuses empty buffers) of device
  // memory in `memory`'s context, charged to it until reset: `memory` must
  // outlive the buffer.
  Status reserve(DeviceMemory& memory, size_t bytes);
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
  DeviceMemory* memory_ = nullptr;  // charged for mem_ (null: a view, or nothing)
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
