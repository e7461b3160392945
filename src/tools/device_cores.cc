#include "tools/device_cores.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/status_macros.h"

#ifdef PARALLAX_HAVE_OPENCL
#include <CL/cl.h>
#endif

namespace parallax::tools {

Status start_opencl_on_cores(const CpuSet& device_cores) {
  PX_RETURN_IF_ERROR(check_allowed(device_cores, "--device-cores"));
#ifdef PARALLAX_HAVE_OPENCL
  // A count the user set in the environment wins: they may want fewer
  // compute units than cores.
  setenv("POCL_CPU_MAX_CU_COUNT", std::to_string(device_cores.size()).c_str(), 0);
  ScopedThreadAffinity pin(device_cores);
  cl_uint platforms = 0;
  cl_platform_id ids[16];
  if (clGetPlatformIDs(16, ids, &platforms) != CL_SUCCESS || platforms == 0)
    return error(StatusCode::kNotFound, "--device-cores: no OpenCL platform found");
  for (cl_uint p = 0; p < std::min<cl_uint>(platforms, 16); ++p) {
    cl_uint devices = 0;
    (void)clGetDeviceIDs(ids[p], CL_DEVICE_TYPE_ALL, 0, nullptr, &devices);  // starts the driver's threads
  }
  return Status::ok();
#else
  return error(StatusCode::kUnsupported, "--device-cores: this build has no OpenCL");
#endif
}

Result<CpuSet> cores_beside(const CpuSet& device_cores) {
  CpuSet rest;
  for (int c : allowed_cpus())
    if (!std::binary_search(device_cores.begin(), device_cores.end(), c)) rest.push_back(c);
  if (rest.empty())
    return error(StatusCode::kInvalidArgument, "--device-cores ", format_cpu_list(device_cores),
                 " leaves no core for the CPU side; give --cpu-cores");
  return rest;
}

}  // namespace parallax::tools
