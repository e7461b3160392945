// Where the measured cost-model profile of an OpenCL device is kept:
// `parallax calibrate` (src/tools) writes it, and sessions and `plan` read
// it, so this lives apart from the calibration that measures it.
//
//   calibrated_profile_path("/home/me/.cache/parallax/opencl", "gfx1103 (AMD)")
//     == "/home/me/.cache/parallax/opencl/profiles/gfx1103_AMD.json"
#pragma once

#include <filesystem>
#include <string_view>

namespace parallax::opencl {

// <cache_dir>/profiles/<device_name>.json, the name reduced to
// [A-Za-z0-9._-] so that no device name can leave the folder.
std::filesystem::path calibrated_profile_path(const std::filesystem::path& cache_dir, std::string_view device_name);

}  // namespace parallax::opencl
