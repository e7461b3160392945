// parallax: inspect and run ONNX models.
//   parallax info MODEL
//   parallax run MODEL [--inputs DIR | --random-inputs] [--outputs DIR] [--threads N]
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "tools/commands.h"

namespace {

// oneDNN and our kernels run on libgomp's OpenMP pool. With OMP_WAIT_POLICY
// unset, libgomp's default waiting collapses when the cores are shared with
// other processes: swin_v2_t at 2 threads on the 2-core CI machine, with two
// compilers running beside it, took 5840 ms per run by default and 350 ms
// with OMP_WAIT_POLICY=passive (or active). libgomp reads the variable once,
// when it is loaded, i.e. before main(); so the tool re-executes itself once
// with the variable set, unless the user chose a policy. Library users set it
// in their own environment (README).
void ensure_omp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);
  // If re-executing fails, run on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  ensure_omp_wait_policy(argv);
  CLI::App app{"Parallax: a parallel ONNX runtime for edge devices"};
  app.require_subcommand(1);
  int exit_code = 0;
  parallax::tools::add_info_command(app, &exit_code);
  parallax::tools::add_run_command(app, &exit_code);
  parallax::tools::add_bench_command(app, &exit_code);
  parallax::tools::add_plan_command(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
