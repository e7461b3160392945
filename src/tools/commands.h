// Subcommands of the `parallax` command-line tool; each lives in its own file.
#pragma once

#include <CLI/CLI.hpp>

namespace parallax::tools {

// Each registers its subcommand on `app`; the callback runs it and sets *exit_code.
void add_info_command(CLI::App& app, int* exit_code);
void add_run_command(CLI::App& app, int* exit_code);
void add_bench_command(CLI::App& app, int* exit_code);
void add_plan_command(CLI::App& app, int* exit_code);
void add_calibrate_command(CLI::App& app, int* exit_code);

}  // namespace parallax::tools
