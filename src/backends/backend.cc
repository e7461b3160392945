#include "backends/backend.h"

#ifdef PARALLAX_HAVE_OPENCL
#include "backends/opencl/opencl_backend.h"
#endif

namespace parallax {

AcceleratorCounters Backend::counters() const {
  auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  AcceleratorCounters c;
  c.bytes_to_device = get(bytes_to_);
  c.bytes_from_device = get(bytes_from_);
  c.transfers_to_device = get(uploads_);
  c.transfers_from_device = get(downloads_);
  c.host_views = get(views_);
  c.host_view_bytes = get(view_bytes_);
  c.dispatches = get(dispatches_);
  c.nodes = get(nodes_);
  c.cpu_fallbacks = get(fallbacks_);
  c.weight_bytes = get(weight_bytes_);
  c.weight_transfers = get(weight_uploads_);
  c.device_bytes = device_memory_bytes();
  return c;
}

void Backend::reset_counters() {
  // Weights stay: they were uploaded when the kernels were made, not by runs.
  for (auto* c :
       {&bytes_to_, &bytes_from_, &uploads_, &downloads_, &views_, &view_bytes_, &dispatches_, &nodes_, &fallbacks_})
    c->store(0, std::memory_order_relaxed);
}

Result<std::shared_ptr<Backend>> make_backend(Accelerator accelerator, const OpenClOptions& opencl) {
  switch (accelerator) {
    case Accelerator::kNone: break;
    case Accelerator::kOpenCL:
#ifdef PARALLAX_HAVE_OPENCL
      return make_opencl_backend(opencl);
#else
      (void)opencl;
      return error(StatusCode::kUnsupported,
                   "this build of Parallax has no OpenCL backend (OpenCL headers and ICD loader were not found "
                   "when it was configured; Debian: ocl-icd-opencl-dev opencl-c-headers)");
#endif
  }
  return error(StatusCode::kInvalidArgument, "accelerator '", accelerator_name(accelerator), "' has no backend");
}

}  // namespace parallax
