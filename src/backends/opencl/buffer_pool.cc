#include "backends/opencl/buffer_pool.h"
#include "core/status_macros.h"

#include <algorithm>

#include "backends/opencl/device_memory.h"

namespace parallax::opencl {

Result<ClBuffer> BufferPool::acquire(DeviceMemory& memory, size_t bytes) {
  bytes = std::max<size_t>(bytes, 4);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(bytes);
    // A much larger buffer stays for a value of its size.
    if (it != free_.end() && it->first / 2 <= bytes) {
      ClBuffer b = std::move(it->second);
      free_.erase(it);
      return b;
    }
  }
  ClBuffer b;
  Status made = b.reserve(memory, bytes);
  if (made.is_ok()) return b;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty()) return made;
    free_.clear();
  }
  PX_RETURN_IF_ERROR(b.reserve(memory, bytes));
  return b;
}

void BufferPool::release(ClBuffer buffer) {
  if (!buffer.get() || buffer.is_host_view()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  free_.emplace(buffer.bytes(), std::move(buffer));
}

}  // namespace parallax::opencl
