#include "backends/opencl/profile_path.h"

#include <string>

namespace parallax::opencl {

std::filesystem::path calibrated_profile_path(const std::filesystem::path& cache_dir, std::string_view device_name) {
  std::string file;
  for (char ch : device_name) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                      ch == '_' || ch == '-';
    // Runs of anything else (spaces, slashes) become one '_'.
    if (keep)
      file += ch;
    else if (file.empty() || file.back() != '_')
      file += '_';
  }
  while (!file.empty() && (file.back() == '_' || file.back() == '.')) file.pop_back();
  if (file.empty()) file = "device";
  return cache_dir / "profiles" / (file + ".json");
}

}  // namespace parallax::opencl
