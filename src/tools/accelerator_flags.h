// The accelerator settings of the CLI: flags, and the PARALLAX_*
// environment variables that set them before the flags existed, so that
// existing scripts keep working. The library below reads no environment;
// this is the one place that maps it onto SessionOptions (docs/opencl.md).
//
//   flag                           variable                          SessionOptions
//   --accelerator NAME             PARALLAX_ACCELERATOR=NAME         accelerator
//   --accelerator-ops LIST|FILE    PARALLAX_ACCELERATOR_OPS=...      accelerator_ops
//   --opencl-zero-copy auto|on|off PARALLAX_OPENCL_ZERO_COPY=0 (off) opencl.zero_copy
//   --opencl-memory-limit BYTES    PARALLAX_OPENCL_MEMORY_LIMIT=...  opencl.memory_limit
//   --opencl-gemm auto|clblast|own PARALLAX_OPENCL_CLBLAST=0 (own)   opencl.gemm
//   --opencl-cache DIR             PARALLAX_OPENCL_CACHE=DIR         opencl.program_cache_dir
//
// A flag wins over its variable; an unset or empty variable is no setting.
// The two switches take only "0" as "off": any other value means the
// default, so that scripts written for the variables keep their meaning.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "parallax/session.h"

namespace parallax::tools {

// The --opencl-* flags as given (empty: not given).
struct OpenClFlags {
  // Initialised: designated initialisers may omit any of them.
  std::string zero_copy = {}, memory_limit = {}, gemm = {}, cache_dir = {};
};
// Adds the four --opencl-* flags; CLI11 rejects bad values at parse time.
void add_opencl_flags(CLI::App& cmd, OpenClFlags& flags);
// The flags over the variables over the defaults. A bad variable is an
// error that names it.
Result<OpenClOptions> opencl_options(const OpenClFlags& flags);

// --accelerator and --accelerator-ops (empty: not given) over
// PARALLAX_ACCELERATOR and PARALLAX_ACCELERATOR_OPS, into `options`. An
// unknown accelerator, an unreadable op list or an op list without an
// accelerator is an error naming the flag or variable it came from.
Status apply_accelerator_choice(const std::string& accelerator_flag, const std::string& ops_flag,
                                SessionOptions& options);

}  // namespace parallax::tools
