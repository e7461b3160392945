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

#include "core/cpu_set.h"
#include "parallax/status.h"

namespace parallax::tools {

// Starts OpenCL with its device threads on `device_cores`. An error when
// the build has no OpenCL or a core is not one this process may use.
Status start_opencl_on_cores(const CpuSet& device_cores);

// The cores the CPU side gets when only the device's are given: the
// process's allowed cores less `device_cores`; an error when none are left.
Result<CpuSet> cores_beside(const CpuSet& device_cores);

}  // namespace parallax::tools
