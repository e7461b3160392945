// The OpenCL backend (see backends/backend.h): made by make_backend(Accelerator::kOpenCL, ...).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace parallax {

namespace opencl {
class ClRuntime;
}

// A backend for one session with these settings, on the process's OpenCL
// device (cl_runtime.h), opened on first use: a failure to open it names
// what is missing and is remembered, not retried.
Result<std::shared_ptr<Backend>> make_opencl_backend(const OpenClOptions& options);

// The device runtime behind an OpenCL backend (tests, calibration); null for another backend.
std::shared_ptr<opencl::ClRuntime> opencl_runtime(const Backend& backend);

// Whether boundary values are handed over as views of host memory under
// `setting` on this device (OpenClOptions::zero_copy).
bool zero_copy_enabled(ZeroCopy setting, const opencl::ClRuntime& rt);

// The op types the OpenCL backend has kernels for (not every attribute
// combination of each: Backend::supports decides per node).
const std::vector<std::string>& opencl_op_types();

}  // namespace parallax
