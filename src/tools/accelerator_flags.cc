#include "tools/accelerator_flags.h"

#include <cstdlib>
#include <optional>
#include <string_view>

#include "core/status_macros.h"
#include "tools/op_list.h"
#include "tools/tool_util.h"

namespace parallax::tools {

namespace {

// The variable's value; nullopt when unset or empty, which mean "no setting".
std::optional<std::string> variable(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

Result<ZeroCopy> parse_zero_copy(std::string_view s) {
  if (s == "auto") return ZeroCopy::kAuto;
  if (s == "on") return ZeroCopy::kOn;
  if (s == "off") return ZeroCopy::kOff;
  return error(StatusCode::kInvalidArgument, "'", s, "' is not a zero-copy mode (auto, on or off)");
}

Result<GemmProvider> parse_gemm(std::string_view s) {
  if (s == "auto") return GemmProvider::kAuto;
  if (s == "clblast") return GemmProvider::kClBlast;
  if (s == "own") return GemmProvider::kOwnKernels;
  return error(StatusCode::kInvalidArgument, "'", s, "' is not a GEMM provider (auto, clblast or own)");
}

// A CLI11 check from one of the parsers above, so a bad flag fails at parse time.
template <typename Parse>
CLI::Validator checked_by(Parse parse, const char* what) {
  return CLI::Validator(
      [parse](std::string& s) {
        auto r = parse(s);
        return r.is_ok() ? std::string() : r.status().message();
      },
      what);
}

}  // namespace

void add_opencl_flags(CLI::App& cmd, OpenClFlags& flags) {
  cmd.add_option("--opencl-zero-copy", flags.zero_copy,
                 "hand values crossing to and from the device over as views of host memory: auto (where the device "
                 "shares host memory), on, off (copies) [PARALLAX_OPENCL_ZERO_COPY=0: off]")
      ->check(checked_by(parse_zero_copy, "MODE"));
  cmd.add_option("--opencl-memory-limit", flags.memory_limit,
                 "most device buffer bytes the session may hold, e.g. 64M (0: the device's); beyond it nodes fall "
                 "back to the CPU as on a full device [PARALLAX_OPENCL_MEMORY_LIMIT]")
      ->check(checked_by(parse_byte_size, "BYTES"));
  cmd.add_option("--opencl-gemm", flags.gemm,
                 "device GEMMs and GEMM-shaped convolutions: auto (CLBlast where built with it), clblast, own "
                 "(Parallax's kernels) [PARALLAX_OPENCL_CLBLAST=0: own]")
      ->check(checked_by(parse_gemm, "PROVIDER"));
  cmd.add_option("--opencl-cache", flags.cache_dir,
                 "folder of compiled device programs and calibrated profiles (default: "
                 "$XDG_CACHE_HOME/parallax/opencl or ~/.cache/parallax/opencl) [PARALLAX_OPENCL_CACHE]");
}

Result<OpenClOptions> opencl_options(const OpenClFlags& flags) {
  OpenClOptions o;
  if (!flags.zero_copy.empty()) {
    PX_ASSIGN_OR_RETURN(o.zero_copy, parse_zero_copy(flags.zero_copy));
  } else if (variable("PARALLAX_OPENCL_ZERO_COPY") == "0") {
    o.zero_copy = ZeroCopy::kOff;
  }
  if (!flags.gemm.empty()) {
    PX_ASSIGN_OR_RETURN(o.gemm, parse_gemm(flags.gemm));
  } else if (variable("PARALLAX_OPENCL_CLBLAST") == "0") {
    o.gemm = GemmProvider::kOwnKernels;
  }
  if (!flags.memory_limit.empty()) {
    PX_ASSIGN_OR_RETURN(o.memory_limit, parse_byte_size(flags.memory_limit));
  } else if (auto v = variable("PARALLAX_OPENCL_MEMORY_LIMIT")) {
    auto limit = parse_byte_size(*v);
    if (!limit.is_ok()) return limit.status().with_context("PARALLAX_OPENCL_MEMORY_LIMIT");
    o.memory_limit = *limit;
  }
  if (!flags.cache_dir.empty()) {
    o.program_cache_dir = flags.cache_dir;
  } else if (auto v = variable("PARALLAX_OPENCL_CACHE")) {
    o.program_cache_dir = *v;
  }
  return o;
}

Status apply_accelerator_choice(const std::string& accelerator_flag, const std::string& ops_flag,
                                SessionOptions& options) {
  if (!accelerator_flag.empty()) {
    auto a = parse_accelerator(accelerator_flag);
    if (!a.is_ok()) return a.status().with_context("--accelerator");
    options.accelerator = *a;
  } else if (auto v = variable("PARALLAX_ACCELERATOR")) {
    auto a = parse_accelerator(*v);
    if (!a.is_ok()) return a.status().with_context("PARALLAX_ACCELERATOR");
    options.accelerator = *a;
  }
  std::optional<std::string> ops;
  const char* ops_source = "--accelerator-ops";
  if (!ops_flag.empty()) {
    if (options.accelerator == Accelerator::kNone)
      return error(StatusCode::kInvalidArgument, "--accelerator-ops needs --accelerator");
    ops = ops_flag;
  } else if (options.accelerator != Accelerator::kNone) {
    // Read only with an accelerator: without one the op list has nothing to select.
    ops = variable("PARALLAX_ACCELERATOR_OPS");
    ops_source = "PARALLAX_ACCELERATOR_OPS";
  }
  if (ops) {
    auto list = parse_op_list(*ops);
    if (!list.is_ok()) return list.status().with_context(ops_source);
    options.accelerator_ops.assign(list->begin(), list->end());
  }
  return Status::ok();
}

}  // namespace parallax::tools
