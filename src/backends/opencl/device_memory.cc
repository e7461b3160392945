#include "backends/opencl/device_memory.h"

#include <string>

namespace parallax::opencl {

Status DeviceMemory::charge(size_t bytes) {
  size_t used = in_use_.load(std::memory_order_relaxed);
  // Check and take in one step: two threads must not both pass a limit only one fits under.
  do {
    if (limit_ != 0 && (bytes > limit_ || used > limit_ - bytes))
      return Status(StatusCode::kResourceExhausted, "OpenCL: device memory limit (OpenClOptions::memory_limit " +
                                                        std::to_string(limit_) +
                                                        " bytes) reached: " + std::to_string(used) + " in use, " +
                                                        std::to_string(bytes) + " more asked for");
  } while (!in_use_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return Status::ok();
}

}  // namespace parallax::opencl
