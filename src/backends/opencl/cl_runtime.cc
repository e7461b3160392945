#include "backends/opencl/cl_runtime.h"

#include <algorithm>
#include <vector>

#include "backends/opencl/device_memory.h"
#include "backends/opencl/program_cache.h"

namespace parallax::opencl {

std::string cl_error_name(cl_int err) {
  const char* name = "unknown OpenCL error";
  switch (err) {
    case CL_DEVICE_NOT_FOUND: name = "CL_DEVICE_NOT_FOUND"; break;
    case CL_DEVICE_NOT_AVAILABLE: name = "CL_DEVICE_NOT_AVAILABLE"; break;
    case CL_COMPILER_NOT_AVAILABLE: name = "CL_COMPILER_NOT_AVAILABLE"; break;
    case CL_MEM_OBJECT_ALLOCATION_FAILURE: name = "CL_MEM_OBJECT_ALLOCATION_FAILURE"; break;
    case CL_OUT_OF_RESOURCES: name = "CL_OUT_OF_RESOURCES"; break;
    case CL_OUT_OF_HOST_MEMORY: name = "CL_OUT_OF_HOST_MEMORY"; break;
    case CL_BUILD_PROGRAM_FAILURE: name = "CL_BUILD_PROGRAM_FAILURE"; break;
    case CL_INVALID_VALUE: name = "CL_INVALID_VALUE"; break;
    case CL_INVALID_PLATFORM: name = "CL_INVALID_PLATFORM"; break;
    case CL_INVALID_DEVICE: name = "CL_INVALID_DEVICE"; break;
    case CL_INVALID_BINARY: name = "CL_INVALID_BINARY"; break;
    case CL_INVALID_BUILD_OPTIONS: name = "CL_INVALID_BUILD_OPTIONS"; break;
    case CL_INVALID_PROGRAM_EXECUTABLE: name = "CL_INVALID_PROGRAM_EXECUTABLE"; break;
    case CL_INVALID_KERNEL_NAME: name = "CL_INVALID_KERNEL_NAME"; break;
    case CL_INVALID_KERNEL_ARGS: name = "CL_INVALID_KERNEL_ARGS"; break;
    case CL_INVALID_ARG_INDEX: name = "CL_INVALID_ARG_INDEX"; break;
    case CL_INVALID_ARG_SIZE: name = "CL_INVALID_ARG_SIZE"; break;
    case CL_INVALID_WORK_GROUP_SIZE: name = "CL_INVALID_WORK_GROUP_SIZE"; break;
    case CL_INVALID_WORK_ITEM_SIZE: name = "CL_INVALID_WORK_ITEM_SIZE"; break;
    case CL_INVALID_GLOBAL_WORK_SIZE: name = "CL_INVALID_GLOBAL_WORK_SIZE"; break;
    case CL_INVALID_BUFFER_SIZE: name = "CL_INVALID_BUFFER_SIZE"; break;
    case CL_INVALID_MEM_OBJECT: name = "CL_INVALID_MEM_OBJECT"; break;
    case -1001: name = "CL_PLATFORM_NOT_FOUND_KHR"; break;
    default: break;
  }
  return std::string(name) + " (" + std::to_string(err) + ")";
}

Status cl_status(cl_int err, const char* what) {
  StatusCode code = StatusCode::kInternal;
  if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES || err == CL_OUT_OF_HOST_MEMORY)
    code = StatusCode::kResourceExhausted;
  return Status(code, std::string("OpenCL: ") + what + " failed: " + cl_error_name(err));
}

namespace {

std::string device_string(cl_device_id d, cl_device_info what) {
  size_t n = 0;
  if (clGetDeviceInfo(d, what, 0, nullptr, &n) != CL_SUCCESS || n == 0) return "";
  std::string s(n, '\0');
  clGetDeviceInfo(d, what, n, s.data(), nullptr);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

std::string platform_string(cl_platform_id p, cl_platform_info what) {
  size_t n = 0;
  if (clGetPlatformInfo(p, what, 0, nullptr, &n) != CL_SUCCESS || n == 0) return "";
  std::string s(n, '\0');
  clGetPlatformInfo(p, what, n, s.data(), nullptr);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

}  // namespace

Result<std::shared_ptr<ClRuntime>> ClRuntime::create() {
  cl_uint num_platforms = 0;
  cl_int err = clGetPlatformIDs(0, nullptr, &num_platforms);
  if (err != CL_SUCCESS || num_platforms == 0)
    return error(StatusCode::kUnsupported,
                 "no OpenCL platform found (clGetPlatformIDs: ", err == CL_SUCCESS ? "0 platforms" : cl_error_name(err),
                 "); install an ICD such as pocl-opencl-icd, or check OCL_ICD_VENDORS");
  std::vector<cl_platform_id> platforms(num_platforms);
  PX_CL_CHECK(clGetPlatformIDs(num_platforms, platforms.data(), nullptr), "clGetPlatformIDs");
  // A GPU on any platform first; then whatever device the first platform has
  // (PoCL's CPU device on build machines).
  cl_platform_id chosen_platform = nullptr;
  cl_device_id chosen = nullptr;
  for (cl_device_type type :
       {static_cast<cl_device_type>(CL_DEVICE_TYPE_GPU), static_cast<cl_device_type>(CL_DEVICE_TYPE_ALL)}) {
    for (cl_platform_id p : platforms) {
      cl_device_id d = nullptr;
      cl_uint n = 0;
      if (clGetDeviceIDs(p, type, 1, &d, &n) == CL_SUCCESS && n > 0) {
        chosen_platform = p, chosen = d;
        break;
      }
    }
    if (chosen) break;
  }
  if (!chosen)
    return error(StatusCode::kUnsupported, "OpenCL: ", num_platforms, " platform(s) but no device on any of them");
  std::shared_ptr<ClRuntime> rt(new ClRuntime());
  rt->device_ = chosen;
  rt->device_name_ = device_string(chosen, CL_DEVICE_NAME);
  rt->driver_version_ = device_string(chosen, CL_DRIVER_VERSION);
  rt->platform_name_ = platform_string(chosen_platform, CL_PLATFORM_NAME);
  clGetDeviceInfo(chosen, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof(size_t), &rt->max_work_group_, nullptr);
  // Deprecated in OpenCL 2.0 but still answered (PoCL, Mali, Adreno, Intel);
  // a device that does not answer is treated as having its own memory.
  cl_bool unified = CL_FALSE;
  if (clGetDeviceInfo(chosen, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, nullptr) == CL_SUCCESS)
    rt->host_unified_ = unified == CL_TRUE;
  cl_context_properties props[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(chosen_platform), 0};
  rt->context_ = clCreateContext(props, 1, &chosen, nullptr, nullptr, &err);
  if (err != CL_SUCCESS) return cl_status(err, "clCreateContext");
  rt->queue_ = clCreateCommandQueue(rt->context_, chosen, 0, &err);
  if (err != CL_SUCCESS) return cl_status(err, "clCreateCommandQueue");
  return rt;
}

ProgramCache& ClRuntime::programs(const std::filesystem::path& dir) {
  std::lock_guard<std::mutex> lock(programs_mutex_);
  std::unique_ptr<ProgramCache>& cache = programs_[dir];
  if (!cache) cache = std::make_unique<ProgramCache>(*this, dir);
  return *cache;
}

ClRuntime::~ClRuntime() {
  programs_.clear();  // releases the programs before their context
  if (queue_) clReleaseCommandQueue(queue_);
  if (context_) clReleaseContext(context_);
}

Status ClBuffer::reserve(DeviceMemory& memory, size_t bytes) {
  bytes = std::max<size_t>(bytes, 4);
  if (mem_ && !host_view_ && memory_ == &memory && bytes_ >= bytes) return Status::ok();
  reset();
  PX_RETURN_IF_ERROR(memory.charge(bytes));
  cl_int err = CL_SUCCESS;
  mem_ = clCreateBuffer(memory.context(), CL_MEM_READ_WRITE, bytes, nullptr, &err);
  if (err != CL_SUCCESS) {
    mem_ = nullptr;
    memory.refund(bytes);
    return cl_status(err, ("clCreateBuffer of " + std::to_string(bytes) + " bytes").c_str());
  }
  bytes_ = bytes, memory_ = &memory;
  return Status::ok();
}

Status ClBuffer::view_host(cl_context ctx, void* host, size_t bytes, cl_mem_flags access) {
  reset();
  cl_int err = CL_SUCCESS;
  mem_ = clCreateBuffer(ctx, access | CL_MEM_USE_HOST_PTR, bytes, host, &err);
  if (err != CL_SUCCESS) {
    mem_ = nullptr;
    return cl_status(err, ("clCreateBuffer (view of " + std::to_string(bytes) + " host bytes)").c_str());
  }
  bytes_ = bytes, host_view_ = true;
  return Status::ok();
}

void ClBuffer::reset() {
  if (mem_) {
    clReleaseMemObject(mem_);
    if (memory_) memory_->refund(bytes_);
  }
  mem_ = nullptr, memory_ = nullptr, bytes_ = 0, host_view_ = false;
}

}  // namespace parallax::opencl
