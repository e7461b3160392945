#include "backends/backend.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#ifdef PARALLAX_HAVE_OPENCL
#include "backends/opencl/opencl_backend.h"
#endif

namespace parallax {

BackendCounters Backend::counters() const {
  auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  BackendCounters c;
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

BackendCounters operator-(const BackendCounters& a, const BackendCounters& b) {
  BackendCounters d;
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

std::string format_counters(std::string_view backend_name, const BackendCounters& c) {
  auto mb = [](uint64_t b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f MB", static_cast<double>(b) / 1e6);
    return std::string(buf);
  };
  std::ostringstream out;
  out << backend_name << ": " << c.nodes << " nodes, " << c.dispatches << " dispatches, " << c.transfers_to_device
      << " uploads (" << mb(c.bytes_to_device) << "), " << c.transfers_from_device << " downloads ("
      << mb(c.bytes_from_device) << "), " << c.host_views << " zero-copy (" << mb(c.host_view_bytes) << "), "
      << c.cpu_fallbacks << " CPU fallbacks; weights " << c.weight_transfers << " uploads (" << mb(c.weight_bytes)
      << "); device memory " << mb(c.device_bytes);
  return out.str();
}

Result<std::shared_ptr<Backend>> shared_backend(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, Result<std::shared_ptr<Backend>>, std::less<>> made;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = made.find(name); it != made.end()) return it->second;
  Result<std::shared_ptr<Backend>> backend =
      error(StatusCode::kInvalidArgument, "unknown accelerator '", name, "' (known: opencl)");
  if (name == "opencl") {
#ifdef PARALLAX_HAVE_OPENCL
    backend = make_opencl_backend();
#else
    backend = error(StatusCode::kUnsupported,
                    "this build of Parallax has no OpenCL backend (OpenCL headers and ICD loader were not found "
                    "when it was configured; Debian: ocl-icd-opencl-dev opencl-c-headers)");
#endif
  }
  made.emplace(std::string(name), backend);
  return backend;
}

Result<std::set<std::string>> parse_op_list(std::string_view list_or_file) {
  std::string text(list_or_file);
  std::error_code ec;
  const bool looks_like_file = text.find('/') != std::string::npos || text.find(".txt") != std::string::npos ||
                               std::filesystem::is_regular_file(text, ec);
  if (looks_like_file) {
    std::ifstream in(text);
    if (!in) return error(StatusCode::kNotFound, "cannot open op list file '", text, "'");
    std::ostringstream all;
    std::string line;
    while (std::getline(in, line)) all << line.substr(0, line.find('#')) << '\n';
    text = all.str();
  }
  std::set<std::string> ops;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) ops.insert(word);
    word.clear();
  };
  for (char ch : text) {
    if (ch == ',' || ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r')
      flush();
    else
      word += ch;
  }
  flush();
  if (ops.empty()) return error(StatusCode::kInvalidArgument, "the op list '", list_or_file, "' names no op");
  return ops;
}

}  // namespace parallax
