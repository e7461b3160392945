// The accelerator names and counter arithmetic of the public API
// (parallax/session.h).
#include <string_view>

#include "parallax/session.h"

namespace parallax {

const char* accelerator_name(Accelerator accelerator) {
  switch (accelerator) {
    case Accelerator::kNone: return "none";
    case Accelerator::kOpenCL: return "opencl";
  }
  return "?";
}

Result<Accelerator> parse_accelerator(std::string_view name) {
  if (name.empty() || name == "none" || name == "cpu") return Accelerator::kNone;
  if (name == accelerator_name(Accelerator::kOpenCL)) return Accelerator::kOpenCL;
  return error(StatusCode::kInvalidArgument, "unknown accelerator '", name, "' (known: opencl, none)");
}

AcceleratorCounters operator-(const AcceleratorCounters& a, const AcceleratorCounters& b) {
  AcceleratorCounters d;
  d.bytes_to_device = a.bytes_to_device - b.bytes_to_device;
  d.bytes_from_device = a.bytes_from_device - b.bytes_from_device;
  d.transfers_to_device = a.transfers_to_device - b.transfers_to_device;
  d.transfers_from_device = a.transfers_from_device - b.transfers_from_device;
  d.host_views = a.host_views - b.host_views;
  d.host_view_bytes = a.host_view_bytes - b.host_view_bytes;
  d.dispatches = a.dispatches - b.dispatches;
  d.nodes = a.nodes - b.nodes;
  d.cpu_fallbacks = a.cpu_fallbacks - b.cpu_fallbacks;
  d.weight_bytes = a.weight_bytes - b.weight_bytes;
  d.weight_transfers = a.weight_transfers - b.weight_transfers;
  d.device_bytes = a.device_bytes;
  return d;
}

}  // namespace parallax
