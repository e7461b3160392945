#include "partition/device_profile.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

namespace parallax {

namespace {

std::string fmt(double v) {
  std::ostringstream out;
  out.precision(4);
  out << v;
  return out.str();
}

}  // namespace

OffloadDecision decide_offload(const RegionCost& c, const DeviceProfile& p, OffloadRule rule,
                               const FixedThresholds& t) {
  if (rule == OffloadRule::kAlways) return {true, "offload forced (rule: always)"};
  if (!c.known) return {false, "work or boundary size known only at run time"};
  if (rule == OffloadRule::kFixedThresholds) {
    if (c.ops < t.min_ops) return {false, "N " + std::to_string(c.ops) + " < " + std::to_string(t.min_ops) + " ops"};
    if (c.macs < t.min_macs) return {false, "F " + fmt(c.macs) + " < " + fmt(t.min_macs) + " MACs"};
    const double ratio = c.boundary_bytes / c.macs;
    if (ratio > t.max_bytes_per_mac)
      return {false, "B/F " + fmt(ratio) + " > " + fmt(t.max_bytes_per_mac) + " bytes/MAC"};
    return {true, "N " + std::to_string(c.ops) + ", F " + fmt(c.macs) + ", B/F " + fmt(ratio) + " pass the thresholds"};
  }
  const double t_offload = p.latency_s + c.macs / p.accel_macs_per_s + c.boundary_bytes / p.bandwidth_bytes_per_s;
  const double t_cpu = c.macs / p.cpu_macs_per_s;
  const std::string cmp = "T_offload " + fmt(t_offload * 1e3) + " ms";
  const std::string cpu = "T_cpu " + fmt(t_cpu * 1e3) + " ms";
  if (t_offload < t_cpu) return {true, cmp + " < " + cpu};
  return {false, cmp + " >= " + cpu};
}

Result<DeviceProfile> parse_device_profile(std::string_view json_text, std::string_view origin) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return error(StatusCode::kInvalidArgument, "device profile ", origin, ": not valid JSON");
  if (!j.is_object())
    return error(StatusCode::kInvalidArgument, "device profile ", origin, ": expected a JSON object");
  DeviceProfile p;
  struct Field {
    const char* key;
    double* dst;
  };
  double latency_ms = p.latency_s * 1e3;
  const Field fields[] = {{"latency_ms", &latency_ms},
                          {"accel_macs_per_s", &p.accel_macs_per_s},
                          {"bandwidth_bytes_per_s", &p.bandwidth_bytes_per_s},
                          {"cpu_macs_per_s", &p.cpu_macs_per_s}};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "name") {
      if (!it->is_string())
        return error(StatusCode::kInvalidArgument, "device profile ", origin, ": 'name' must be a string");
      p.name = it->get<std::string>();
      continue;
    }
    const Field* f = nullptr;
    for (const Field& cand : fields)
      if (it.key() == cand.key) f = &cand;
    if (!f) return error(StatusCode::kInvalidArgument, "device profile ", origin, ": unknown key '", it.key(), "'");
    if (!it->is_number())
      return error(StatusCode::kInvalidArgument, "device profile ", origin, ": '", it.key(), "' must be a number");
    const double v = it->get<double>();
    const bool may_be_zero = f->dst == &latency_ms;
    if (!std::isfinite(v) || v < 0 || (v == 0 && !may_be_zero))
      return error(StatusCode::kInvalidArgument, "device profile ", origin, ": '", it.key(), "' must be ",
                   may_be_zero ? ">= 0" : "> 0", ", got ", v);
    *f->dst = v;
  }
  p.latency_s = latency_ms * 1e-3;
  return p;
}

Result<DeviceProfile> load_device_profile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return error(StatusCode::kNotFound, "device profile ", path.string(), ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return parse_device_profile(text.str(), path.string());
}

std::string device_profile_json(const DeviceProfile& p) {
  const nlohmann::json j = {{"name", p.name},
                            {"latency_ms", p.latency_s * 1e3},
                            {"accel_macs_per_s", p.accel_macs_per_s},
                            {"bandwidth_bytes_per_s", p.bandwidth_bytes_per_s},
                            {"cpu_macs_per_s", p.cpu_macs_per_s}};
  // Device names come from drivers: replace a bad byte rather than throw.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Status save_device_profile(const DeviceProfile& profile, const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return error(StatusCode::kInternal, "cannot create ", path.parent_path().string(), ": ", ec.message());
  std::ofstream out(path);
  out << device_profile_json(profile);
  out.close();
  if (!out) return error(StatusCode::kInternal, "cannot write the device profile ", path.string());
  return Status::ok();
}

double break_even_macs(const DeviceProfile& p, double boundary_bytes) {
  // F/R_cpu - F/R_acc > L + B/B_bw  <=>  F > (L + B/B_bw) / (1/R_cpu - 1/R_acc).
  const double gain_per_mac = 1.0 / p.cpu_macs_per_s - 1.0 / p.accel_macs_per_s;
  if (!(gain_per_mac > 0)) return std::numeric_limits<double>::infinity();
  return (p.latency_s + boundary_bytes / p.bandwidth_bytes_per_s) / gain_per_mac;
}

}  // namespace parallax
