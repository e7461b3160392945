// The device memory of one session. Every device buffer a session's kernels
// reserve is charged here, against the session's limit
// (OpenClOptions::memory_limit), so that sessions sharing a device neither
// see nor limit each other's bytes, and the free buffers of its pool are its
// own (released when the session ends).
//
//   DeviceMemory memory(rt.context(), 64 << 20);
//   ClBuffer b;
//   PX_RETURN_IF_ERROR(b.reserve(memory, bytes));  // kResourceExhausted beyond 64 MiB
#pragma once

#include <CL/cl.h>

#include <atomic>
#include <cstddef>

#include "backends/opencl/buffer_pool.h"
#include "core/status_macros.h"
#include "parallax/status.h"

namespace parallax::opencl {

class DeviceMemory {
 public:
  // `limit` 0: no limit but the device's.
  DeviceMemory(cl_context context, size_t limit) : context_(context), limit_(limit) {}
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  cl_context context() const { return context_; }
  size_t limit() const { return limit_; }
  // Bytes of device buffers held now: the kernels' and the pool's free ones.
  size_t bytes_in_use() const { return in_use_.load(std::memory_order_relaxed); }
  // Values that live only on the device take their buffers from here.
  BufferPool& pool() { return pool_; }

  // For ClBuffer: takes `bytes` from the budget, or fails with
  // kResourceExhausted as a full device would (the node falls back to the CPU).
  Status charge(size_t bytes);
  void refund(size_t bytes) { in_use_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  cl_context context_;
  size_t limit_;
  std::atomic<size_t> in_use_{0};
  BufferPool pool_;  // after in_use_: its buffers are refunded when it goes
};

}  // namespace parallax::opencl
