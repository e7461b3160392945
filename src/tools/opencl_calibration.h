// Measures, on this machine, the constants of the offload cost model
// (partition/device_profile.h) for the OpenCL device Parallax would use, so
// that `plan` and the runtime can decide with this device's figures instead
// of the paper's phone:
//   L      dispatch latency: a trivial kernel enqueued and waited for;
//   R_acc  MACs/s of the backend's own fp32 MatMul device kernel, run through
//          Program like any model (so it includes uploading the activation
//          and reading the result back: what a one-node region pays);
//   R_cpu  MACs/s of the same MatMul on the CPU kernels with `threads`;
//   B_bw   the mean of blocking write and read bandwidth of one large buffer.
// Each figure is the median of `repetitions` timed runs after `warmup` runs.
// It measures through a whole Program, so it lives with the tools, above
// the runtime, not in the backend.
//
//   PX_ASSIGN_OR_RETURN(CalibrationResult r, calibrate_opencl({}));
//   PX_RETURN_IF_ERROR(save_device_profile(r.profile, r.profile_path));
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status_macros.h"
#include "parallax/session.h"
#include "partition/device_profile.h"

namespace parallax::tools {

struct CalibrateOptions {
  int threads = 0;                           // CPU threads for R_cpu; 0: hardware concurrency
  int64_t matmul_size = 512;                 // n of the n x n times n x n MatMul
  size_t transfer_bytes = size_t{64} << 20;  // buffer written and read for B_bw
  int repetitions = 7;
  int warmup = 2;
  int latency_repetitions = 100;  // L is short and noisy: more samples
  // Also time a 3x3 Conv (N=1, C=K=conv_channels, conv_size^2 pixels) on the
  // device. Reported only: the device Conv is a direct convolution with its
  // own speed, and the profile holds one R_acc, the MatMul's.
  bool conv = false;
  int64_t conv_channels = 64, conv_size = 56;
  // The device settings sessions will run with: the figures are theirs
  // (zero-copy decides what B_bw measures, the GEMM provider what R_acc
  // does), and the program cache folder is where the profile belongs.
  OpenClOptions opencl;
};

struct CalibrationResult {
  DeviceProfile profile;  // name: the OpenCL device name
  // Where sessions with the same OpenClOptions::program_cache_dir look for it.
  std::filesystem::path profile_path;
  std::string platform_name, driver_version;
  int threads = 1;
  double matmul_macs = 0;  // per run
  double matmul_device_s = 0, matmul_cpu_s = 0;
  double write_bytes_per_s = 0, read_bytes_per_s = 0;
  // With zero-copy on (OpenClOptions::zero_copy) boundary values are views of
  // host memory, not copies: B_bw is then the rate of that hand-off (make a
  // view, map it, unmap it), which is what the runtime pays.
  bool zero_copy = false;
  double view_bytes_per_s = 0;
  size_t transfer_bytes = 0;
  int repetitions = 0;
  double conv_macs = 0, conv_device_s = 0;  // 0 unless CalibrateOptions::conv
  double conv_macs_per_s = 0;
};

// Errors: no OpenCL platform or device (the backend's message), settings
// the build cannot honour, a MatMul that did not run on the device, an
// OpenCL call that failed.
Result<CalibrationResult> calibrate_opencl(const CalibrateOptions& options);

}  // namespace parallax::tools
