// Device memory for values that live only on the device (made by one device
// node, read only by others): a buffer is taken when the producer runs and
// given back as soon as the last device reader has enqueued its commands, so
// device memory follows the values' lifetimes the way the host arena does,
// instead of every device node holding its outputs for the session's life.
//
// Handing a buffer back before the readers' kernels have run is safe because
// every command goes to the one in-order queue of the ClRuntime: whatever
// the next owner enqueues runs after them. Each session has its own pool
// (in its DeviceMemory), so its free buffers count against its own limit and
// go when it ends.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>

#include "backends/opencl/cl_runtime.h"

namespace parallax::opencl {

class DeviceMemory;

class BufferPool {
 public:
  // A free buffer of at least `bytes` and at most twice that (best fit), or a
  // new one charged to `memory`. When the device is full (or `memory`'s limit
  // is reached) the free buffers are released and the allocation tried again.
  Result<ClBuffer> acquire(DeviceMemory& memory, size_t bytes);
  void release(ClBuffer buffer);

 private:
  std::mutex mutex_;
  std::multimap<size_t, ClBuffer> free_;  // by size
};

}  // namespace parallax::opencl
