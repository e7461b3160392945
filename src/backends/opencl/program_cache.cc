#include "backends/opencl/program_cache.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include "backends/opencl/cl_runtime.h"
#include "core/status_macros.h"

namespace parallax::opencl {

uint64_t fnv1a64(const std::string& text, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::filesystem::path default_cache_dir() {
  if (const char* p = std::getenv("XDG_CACHE_HOME"); p && *p) return std::filesystem::path(p) / "parallax" / "opencl";
  if (const char* p = std::getenv("HOME"); p && *p) return std::filesystem::path(p) / ".cache" / "parallax" / "opencl";
  return std::filesystem::temp_directory_path() / "parallax-opencl-cache";
}

namespace {

std::string build_log(cl_program program, cl_device_id device) {
  size_t n = 0;
  if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &n) != CL_SUCCESS || n == 0) return "";
  std::string log(n, '\0');
  clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, n, log.data(), nullptr);
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

}  // namespace

ProgramCache::ProgramCache(const ClRuntime& rt, std::filesystem::path dir) : rt_(rt), dir_(std::move(dir)) {}

ProgramCache::~ProgramCache() {
  for (auto& [k, p] : programs_) clReleaseProgram(p);
}

std::string ProgramCache::key(const std::string& source, const std::string& options) const {
  // Everything that could change the binary is in the key.
  std::string all = source + '\0' + options + '\0' + rt_.device_name() + '\0' + rt_.driver_version() + '\0' +
                    rt_.platform_name();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(all)));
  return hex;
}

std::filesystem::path ProgramCache::binary_path(const std::string& source, const std::string& options) const {
  return dir_ / (key(source, options) + ".clbin");
}

ProgramCacheStats ProgramCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void ProgramCache::clear_memory() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [k, p] : programs_) clReleaseProgram(p);
  programs_.clear();
}

Result<cl_program> ProgramCache::get(const std::string& source, const std::string& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string k = key(source, options);
  if (auto it = programs_.find(k); it != programs_.end()) {
    ++stats_.memory_hits;
    return it->second;
  }
  const std::filesystem::path path = dir_ / (k + ".clbin");
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    auto loaded = load_binary(path, options);
    if (loaded.is_ok()) {
      ++stats_.disk_hits;
      programs_.emplace(k, *loaded);
      return *loaded;
    }
    // A truncated or foreign file: rebuild from source and overwrite it.
  }
  PX_ASSIGN_OR_RETURN(cl_program program, build(source, options));
  ++stats_.source_builds;
  store_binary(program, path);
  programs_.emplace(k, program);
  return program;
}

Result<cl_kernel> ProgramCache::kernel(const std::string& source, const char* name, const std::string& options) {
  PX_ASSIGN_OR_RETURN(cl_program program, get(source, options));
  cl_int err = CL_SUCCESS;
  cl_kernel k = clCreateKernel(program, name, &err);
  if (err != CL_SUCCESS) return cl_status(err, (std::string("clCreateKernel ") + name).c_str());
  return k;
}

Result<cl_program> ProgramCache::build(const std::string& source, const std::string& options) {
  const char* text = source.c_str();
  size_t length = source.size();
  cl_int err = CL_SUCCESS;
  cl_program program = clCreateProgramWithSource(rt_.context(), 1, &text, &length, &err);
  if (err != CL_SUCCESS) return cl_status(err, "clCreateProgramWithSource");
  cl_device_id device = rt_.device();
  err = clBuildProgram(program, 1, &device, options.c_str(), nullptr, nullptr);
  if (err != CL_SUCCESS) {
    std::string log = build_log(program, device);
    clReleaseProgram(program);
    return error(StatusCode::kInvalidArgument, "OpenCL program failed to build on '", rt_.device_name(),
                 "': ", cl_error_name(err), "\nbuild log:\n", log.empty() ? "(empty)" : log);
  }
  return program;
}

Result<cl_program> ProgramCache::load_binary(const std::filesystem::path& path, const std::string& options) {
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return error(StatusCode::kNotFound, "empty cached binary ", path.string());
  const unsigned char* data = bytes.data();
  size_t size = bytes.size();
  cl_int status = CL_SUCCESS, err = CL_SUCCESS;
  cl_device_id device = rt_.device();
  cl_program program = clCreateProgramWithBinary(rt_.context(), 1, &device, &size, &data, &status, &err);
  if (err != CL_SUCCESS || status != CL_SUCCESS) {
    if (program) clReleaseProgram(program);
    return cl_status(err != CL_SUCCESS ? err : status, "clCreateProgramWithBinary");
  }
  // A binary still needs clBuildProgram (a cheap link step for PoCL).
  err = clBuildProgram(program, 1, &device, options.c_str(), nullptr, nullptr);
  if (err != CL_SUCCESS) {
    clReleaseProgram(program);
    return cl_status(err, "clBuildProgram of a cached binary");
  }
  return program;
}

void ProgramCache::store_binary(cl_program program, const std::filesystem::path& path) {
  size_t size = 0;
  if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr) != CL_SUCCESS || size == 0) return;
  std::vector<unsigned char> bytes(size);
  unsigned char* data = bytes.data();
  if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof data, &data, nullptr) != CL_SUCCESS) return;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  // Write then rename: a concurrent process never reads a half-written file.
  std::filesystem::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return;
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) return;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return;
  }
  ++stats_.disk_writes;
}

}  // namespace parallax::opencl
