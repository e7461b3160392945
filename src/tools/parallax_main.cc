// parallax: inspect and run ONNX models.
//   parallax info MODEL
//   parallax run MODEL [--inputs DIR | --random-inputs] [--outputs DIR] [--threads N]
#include <iostream>

#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Parallax: a parallel ONNX runtime for edge devices"};
  app.require_subcommand(1);
  int exit_code = 0;
  parallax::tools::add_info_command(app, &exit_code);
  parallax::tools::add_run_command(app, &exit_code);
  parallax::tools::add_bench_command(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
