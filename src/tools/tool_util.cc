#include "tools/tool_util.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "format/tensor_proto.h"
#include "kernels/kernel_util.h"

namespace parallax::tools {

namespace fs = std::filesystem;

Result<std::vector<NamedTensor>> make_random_inputs(const Session& session, const std::vector<std::string>& shapes,
                                                    uint32_t seed) {
  std::map<std::string, Shape> given;
  for (const std::string& s : shapes) {
    auto eq = s.find('=');
    if (eq == std::string::npos) return error(StatusCode::kInvalidArgument, "--shape '", s, "' is not NAME=D0xD1x...");
    Shape shape;
    std::stringstream dims(s.substr(eq + 1));
    std::string d;
    while (std::getline(dims, d, 'x')) {
      char* end = nullptr;
      long long v = std::strtoll(d.c_str(), &end, 10);
      if (d.empty() || *end != '\0' || v < 0)
        return error(StatusCode::kInvalidArgument, "--shape '", s, "' has a bad dimension '", d, "'");
      shape.push_back(v);
    }
    given[s.substr(0, eq)] = shape;
  }
  std::mt19937 rng(seed);
  std::vector<NamedTensor> out;
  for (const TensorInfo& info : session.inputs()) {
    Shape shape;
    if (auto it = given.find(info.name); it != given.end()) {
      shape = it->second;
    } else {
      for (int64_t d : info.shape) shape.push_back(d < 0 ? 1 : d);
    }
    if (!is_supported(info.dtype))
      return error(StatusCode::kUnsupported, "input '", info.name, "' has type ", data_type_name(info.dtype));
    Tensor t = Tensor::allocate(info.dtype, shape);
    std::uniform_real_distribution<float> uni(0.0f, 1.0f);
    Status s = visit_all(info.dtype, [&]<typename T>() {
      T* p = t.data<T>();
      for (int64_t i = 0; i < t.numel(); ++i) {
        if constexpr (std::is_floating_point_v<T>) p[i] = static_cast<T>(uni(rng));
        else if constexpr (std::is_same_v<T, bool>) p[i] = uni(rng) < 0.5f;
        else p[i] = static_cast<T>(rng() % 4);
      }
      return Status::ok();
    });
    PX_RETURN_IF_ERROR(s);
    out.push_back({info.name, std::move(t)});
  }
  return out;
}

Result<std::vector<NamedTensor>> read_input_dir(const Session& session, const std::string& dir) {
  std::vector<NamedTensor> out;
  const auto& declared = session.inputs();
  for (size_t i = 0; i < declared.size(); ++i) {
    fs::path path = fs::path(dir) / ("input_" + std::to_string(i) + ".pb");
    if (!fs::exists(path))
      return error(StatusCode::kNotFound, "input '", declared[i].name, "' has no file ", path.string());
    PX_ASSIGN_OR_RETURN(Tensor t, read_tensor_file(path));
    out.push_back({declared[i].name, std::move(t)});
  }
  return out;
}

std::string summarize(const Tensor& t) {
  std::ostringstream out;
  if (t.numel() == 0) return "(empty)";
  Status s = visit_all(t.dtype(), [&]<typename T>() {
    const T* p = t.data<T>();
    double lo = static_cast<double>(p[0]), hi = lo, sum = 0;
    for (int64_t i = 0; i < t.numel(); ++i) {
      double v = static_cast<double>(p[i]);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    out << "min " << lo << " max " << hi << " mean " << sum / static_cast<double>(t.numel());
    return Status::ok();
  });
  if (!s.is_ok()) return "(not summarised)";
  return out.str();
}

}  // namespace parallax::tools
