// Builds each OpenCL C program once per process and keeps the compiled
// binary on disk, because PoCL compiles slowly (hundreds of ms per program,
// through LLVM) and every new process would pay it again.
//
// Disk cache: the folder a session names (OpenClOptions::program_cache_dir),
// else default_cache_dir(); one file per program, named by a 64-bit
// hash of the source, the build options, the device name, the driver version
// and the platform name, so a new driver or device never loads a stale
// binary. A binary that fails to load is rebuilt from source and rewritten.
// An unwritable cache directory only costs the rebuild next time.
#pragma once

#include <CL/cl.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "parallax/status.h"

namespace parallax::opencl {

class ClRuntime;

struct ProgramCacheStats {
  uint64_t memory_hits = 0;  // already built in this process
  uint64_t disk_hits = 0;    // loaded from a cached binary
  uint64_t source_builds = 0;
  uint64_t disk_writes = 0;
};

class ProgramCache {
 public:
  // Keeps binaries in `dir` (made when the first one is written).
  ProgramCache(const ClRuntime& rt, std::filesystem::path dir);
  ~ProgramCache();

  // The built program for `source` (owned by the cache). A build failure is a
  // kInvalidArgument Status that carries the compiler's build log.
  Result<cl_program> get(const std::string& source, const std::string& options = "");
  // A new cl_kernel `name` of a cached program (the caller owns it).
  Result<cl_kernel> kernel(const std::string& source, const char* name, const std::string& options = "");

  // Where `source` built with `options` is (or would be) cached on disk.
  std::filesystem::path binary_path(const std::string& source, const std::string& options) const;
  const std::filesystem::path& directory() const { return dir_; }
  ProgramCacheStats stats() const;
  // Forgets the in-process programs (tests: the next get() goes to disk).
  void clear_memory();

 private:
  Result<cl_program> build(const std::string& source, const std::string& options);
  Result<cl_program> load_binary(const std::filesystem::path& path, const std::string& options);
  void store_binary(cl_program program, const std::filesystem::path& path);
  std::string key(const std::string& source, const std::string& options) const;

  const ClRuntime& rt_;
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::map<std::string, cl_program> programs_;
  ProgramCacheStats stats_;
};

// The disk cache's folder when a session names none:
// $XDG_CACHE_HOME/parallax/opencl, else ~/.cache/parallax/opencl (the user's
// cache, where the binaries survive the process), else one in the temporary folder.
std::filesystem::path default_cache_dir();

// FNV-1a, 64 bits: stable across runs and builds (std::hash is not promised to be).
uint64_t fnv1a64(const std::string& text, uint64_t seed = 1469598103934665603ull);

}  // namespace parallax::opencl
