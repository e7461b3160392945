// The OpenCL backend (see backends/backend.h): made by shared_backend("opencl").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace parallax {

namespace opencl {
class ClRuntime;
}

// Opens the OpenCL device (cl_runtime.h); an error names what is missing.
Result<std::shared_ptr<Backend>> make_opencl_backend();

// The device runtime behind an OpenCL backend (tests: the program cache).
std::shared_ptr<opencl::ClRuntime> opencl_runtime(const Backend& backend);

// The op types the OpenCL backend has kernels for (not every attribute
// combination of each: Backend::supports decides per node).
const std::vector<std::string>& opencl_op_types();

}  // namespace parallax
