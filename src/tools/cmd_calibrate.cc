// `parallax calibrate --accelerator opencl`: measures this machine's cost
// model constants (tools/opencl_calibration.h) and writes them as a device
// profile, by default where `plan --accelerator opencl` looks for it.
//
//   parallax calibrate                          # writes <cache>/profiles/<device>.json
//   parallax calibrate --out p.json --threads 2 --format json
//   parallax calibrate --device-cores 1 --cpu-cores 0 --out split.json   # a split machine
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/cpu_set.h"
#include "partition/device_profile.h"
#include "runtime/openmp_affinity.h"
#include "tools/accelerator_flags.h"
#include "tools/commands.h"
#include "tools/device_cores.h"
#include "tools/opencl_calibration.h"
#include "tools/tool_util.h"

namespace parallax::tools {

namespace {

struct CalibrateArgs {
  std::string accelerator = "opencl", out, format = "text", transfer = "64M";
  int threads = 0;
  std::string cpu_cores, device_cores;  // a split machine (tools/device_cores.h); empty: not given
  int64_t size = 512;
  int repetitions = 7;
  bool conv = false;
  OpenClFlags opencl;  // the settings the sessions to be planned with this profile will use
};

#ifdef PARALLAX_HAVE_OPENCL

std::string si(double v, const char* unit) {
  char buf[48];
  const char* prefix = v >= 1e12          ? "T"
                       : v >= 1e9         ? "G"
                       : v >= 1e6         ? "M"
                       : v >= 1e3         ? "K"
                       : v >= 1 || v == 0 ? ""
                       : v >= 1e-3        ? "m"
                                          : "u";
  const double scale = v >= 1e12          ? 1e12
                       : v >= 1e9         ? 1e9
                       : v >= 1e6         ? 1e6
                       : v >= 1e3         ? 1e3
                       : v >= 1 || v == 0 ? 1
                       : v >= 1e-3        ? 1e-3
                                          : 1e-6;
  std::snprintf(buf, sizeof buf, "%.3g %s%s", v / scale, prefix, unit);
  return buf;
}

void print_text(const CalibrationResult& r, const std::string& path) {
  const DeviceProfile& p = r.profile;
  const double n = std::cbrt(r.matmul_macs);
  std::printf("OpenCL device: %s (%s, driver %s)\n", p.name.c_str(), r.platform_name.c_str(), r.driver_version.c_str());
  auto row = [](const char* sym, const char* what, const std::string& value, const std::string& note) {
    std::printf("  %-6s %-18s %14s  %s\n", sym, what, value.c_str(), note.c_str());
  };
  char note[160];
  std::snprintf(note, sizeof note, "%.4f ms: a trivial kernel, enqueue + clFinish", p.latency_s * 1e3);
  row("L", "dispatch latency", si(p.latency_s, "s"), note);
  std::snprintf(note, sizeof note, "fp32 MatMul %.0f^3 on the device, %.2f ms a run incl. its boundary transfers", n,
                r.matmul_device_s * 1e3);
  row("R_acc", "device MatMul", si(p.accel_macs_per_s, "MAC/s"), note);
  std::snprintf(note, sizeof note, "the same MatMul on the CPU, %d thread%s, %.2f ms a run", r.threads,
                r.threads == 1 ? "" : "s", r.matmul_cpu_s * 1e3);
  row("R_cpu", "CPU MatMul", si(p.cpu_macs_per_s, "MAC/s"), note);
  if (r.zero_copy)
    std::snprintf(note, sizeof note, "zero-copy: view + map + unmap of %zu MiB (copies: write %s/s, read %s/s)",
                  r.transfer_bytes >> 20, si(r.write_bytes_per_s, "B").c_str(), si(r.read_bytes_per_s, "B").c_str());
  else
    std::snprintf(note, sizeof note, "mean of write %s/s and read %s/s, %zu MiB blocking",
                  si(r.write_bytes_per_s, "B").c_str(), si(r.read_bytes_per_s, "B").c_str(), r.transfer_bytes >> 20);
  row("B_bw", "host <-> device", si(p.bandwidth_bytes_per_s, "B/s"), note);
  if (r.conv_device_s > 0) {
    std::snprintf(note, sizeof note, "3x3 Conv on the device, %.2f ms a run; reported only (R_acc is the MatMul's)",
                  r.conv_device_s * 1e3);
    row("(Conv)", "device Conv", si(r.conv_macs_per_s, "MAC/s"), note);
  }
  std::printf("each figure: median of %d runs after warm-up\n", r.repetitions);
  const double f = break_even_macs(p);
  if (std::isinf(f))
    std::printf("cost model: offloading never pays (R_acc <= R_cpu): every region stays on the CPU\n");
  else
    std::printf(
        "cost model: offloading pays for a region of more than %s (zero boundary bytes; each boundary MB "
        "adds %s)\n",
        si(f, "MAC").c_str(), si(break_even_macs(p, 1e6) - f, "MAC").c_str());
  std::printf("profile written to %s\n", path.c_str());
}

nlohmann::json result_json(const CalibrationResult& r, const std::string& path) {
  const double f = break_even_macs(r.profile);
  nlohmann::json j = {
      {"profile", nlohmann::json::parse(device_profile_json(r.profile))},
      {"path", path},
      {"platform", r.platform_name},
      {"driver", r.driver_version},
      {"threads", r.threads},
      {"repetitions", r.repetitions},
      {"matmul", {{"macs", r.matmul_macs}, {"device_ms", r.matmul_device_s * 1e3}, {"cpu_ms", r.matmul_cpu_s * 1e3}}},
      {"bandwidth",
       {{"bytes", r.transfer_bytes},
        {"write_bytes_per_s", r.write_bytes_per_s},
        {"read_bytes_per_s", r.read_bytes_per_s},
        {"zero_copy", r.zero_copy},
        {"view_bytes_per_s", r.view_bytes_per_s}}},
      {"offload_pays", !std::isinf(f)},
      {"break_even_macs", std::isinf(f) ? nlohmann::json(nullptr) : nlohmann::json(f)}};
  if (r.conv_device_s > 0)
    j["conv"] = {{"macs", r.conv_macs}, {"device_ms", r.conv_device_s * 1e3}, {"macs_per_s", r.conv_macs_per_s}};
  return j;
}

int run_calibrate(const CalibrateArgs& a) {
  auto transfer = parse_byte_size(a.transfer);
  if (!transfer.is_ok()) {
    std::cerr << "error: --transfer: " << transfer.status().message() << '\n';
    return 1;
  }
  auto opencl = opencl_options(a.opencl);
  if (!opencl.is_ok()) {
    std::cerr << "error: " << opencl.status().message() << '\n';
    return 1;
  }
  // A split machine is measured as its sessions will run: the device on its
  // cores, R_cpu on the CPU side's, one thread per core.
  auto cores = resolve_cores(a.cpu_cores, a.device_cores);
  if (!cores.is_ok()) {
    std::cerr << "error: " << cores.status().message() << '\n';
    return 1;
  }
  const CpuSet cpu = std::move(cores).value();
  if (Status s = check_allowed(cpu, "--cpu-cores"); !s.is_ok()) {
    std::cerr << "error: " << s.message() << '\n';
    return 1;
  }
  ScopedThreadAffinity pin(cpu);
  CalibrateOptions o;
  o.opencl = *opencl;
  o.threads = cpu.empty() ? a.threads : static_cast<int>(cpu.size());
  pin_openmp_team(cpu, std::max(o.threads, 1), &a);
  o.matmul_size = a.size;
  o.transfer_bytes = *transfer;
  o.repetitions = a.repetitions;
  o.conv = a.conv;
  auto r = calibrate_opencl(o);
  if (!r.is_ok()) {
    std::cerr << "error: cannot calibrate the OpenCL device: " << r.status().message() << '\n';
    return 1;
  }
  const std::string path = a.out.empty() ? r->profile_path.string() : a.out;
  if (Status s = save_device_profile(r->profile, path); !s.is_ok()) {
    std::cerr << "error: " << s.message() << '\n';
    return 1;
  }
  if (a.format == "json")
    std::cout << result_json(*r, path).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  else
    print_text(*r, path);
  return 0;
}

#else

int run_calibrate(const CalibrateArgs&) {
  std::cerr << "error: parallax calibrate: this build of Parallax has no OpenCL backend (OpenCL headers and ICD "
               "loader were not found when it was configured; Debian: ocl-icd-opencl-dev opencl-c-headers)\n";
  return 1;
}

#endif

}  // namespace

void add_calibrate_command(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "calibrate", "Measure the offload cost model's constants (L, R_acc, R_cpu, B_bw) and write a device profile");
  auto args = std::make_shared<CalibrateArgs>();
  cmd->add_option("--accelerator", args->accelerator, "the accelerator to measure (opencl)")
      ->check(CLI::IsMember({"opencl"}));
  cmd->add_option("--out", args->out,
                  "profile file to write (default: <OpenCL program cache>/profiles/<device>.json, "
                  "where `plan --accelerator opencl` finds it)");
  cmd->add_option("--threads", args->threads, "CPU threads for R_cpu (default: hardware concurrency)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--cpu-cores", args->cpu_cores, "measure R_cpu on these cores, one thread each (e.g. 0)")
      ->check(core_list_validator());
  cmd->add_option("--device-cores", args->device_cores,
                  "give the OpenCL device (PoCL) these cores, as `run --device-cores` does (e.g. 1)")
      ->check(core_list_validator());
  cmd->add_option("--size", args->size, "n of the n x n x n MatMul timed for R_acc and R_cpu")
      ->check(CLI::Range(int64_t{8}, int64_t{8192}));
  cmd->add_option("--transfer", args->transfer, "bytes written and read for B_bw (K/M/G suffix)");
  cmd->add_option("--repetitions", args->repetitions, "timed runs per figure (the median is kept)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--conv", args->conv, "also time a 3x3 Conv on the device (reported, not in the profile)");
  cmd->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  add_opencl_flags(*cmd, args->opencl);
  cmd->callback([=] { *exit_code = run_calibrate(*args); });
}

}  // namespace parallax::tools
