#include "tools/device_cores.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/status_macros.h"
#include "parallax/session.h"

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

Result<CpuSet> resolve_cores(const std::string& cpu_text, const std::string& device_text) {
  CpuSet cpu;
  if (cpu_text == "big") {
    cpu = big_cores();
  } else if (!cpu_text.empty()) {
    PX_ASSIGN_OR_RETURN(cpu, parse_cpu_list(cpu_text));
  }
  if (device_text.empty()) return cpu;
  PX_ASSIGN_OR_RETURN(CpuSet device, parse_cpu_list(device_text));
  PX_RETURN_IF_ERROR(start_opencl_on_cores(device));
  if (!cpu.empty()) return cpu;
  for (int c : allowed_cpus())
    if (!std::binary_search(device.begin(), device.end(), c)) cpu.push_back(c);
  if (cpu.empty())
    return error(StatusCode::kInvalidArgument, "--device-cores ", format_cpu_list(device),
                 " leaves no core for the CPU side; give --cpu-cores");
  return cpu;
}

}  // namespace parallax::tools
