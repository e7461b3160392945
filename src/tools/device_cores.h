// --device-cores LIST: an OpenCL device that is itself CPU cores (PoCL's
// pthread device) gets those cores and no others, so that beside it the
// session's CPU side (--cpu-cores, by default the remaining cores) runs on
// hardware of its own, as a phone's GPU beside its big cores (docs/opencl.md,
// "Split machine").
//
// PoCL takes its compute-unit count from POCL_CPU_MAX_CU_COUNT and starts its
// worker threads when the platform is first queried; threads inherit the
// cores of the thread that creates them. So this sets the count, pins the
// calling thread to the device cores, starts OpenCL, and gives the calling
// thread its cores back. It must run before anything else touches OpenCL.
// The library itself reads no environment: this is the CLI's business.
#pragma once

#include <string>

#include "core/cpu_set.h"
#include "parallax/status.h"

namespace parallax::tools {

// Starts OpenCL with its device threads on `device_cores`. An error when
// the build has no OpenCL or a core is not one this process may use.
Status start_opencl_on_cores(const CpuSet& device_cores);

// The CPU side's cores from the flags as given (empty text: not given):
// `cpu_text` ("0,2-3", or "big": big_cores()); with `device_text`, OpenCL is
// started on those cores first and the CPU side defaults to the allowed cores
// less the device's (an error when none are left). Empty: no pinning.
Result<CpuSet> resolve_cores(const std::string& cpu_text, const std::string& device_text);

}  // namespace parallax::tools
