// parallax: inspect and run ONNX models.
//   parallax info MODEL
//   parallax run MODEL [--inputs DIR | --random-inputs] [--outputs DIR] [--threads N]
//   parallax bench MODEL [--runs N] [--mode dataflow] [--memory-budget 64M] [--verbose] [--trace FILE] [--json]
//   parallax plan MODEL [--accelerator opencl] [--format text|json|dot|html]
//   parallax calibrate --accelerator opencl [--out FILE] [--threads N]
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "tools/commands.h"

namespace {

// oneDNN and our kernels run on libgomp's OpenMP pool, and how its idle
// threads wait decides both speed and behaviour on shared cores. swin_v2_t,
// 2 threads, sequential, on this project's 2-core machine (ms per run):
//   policy                               quiet   2 CPU hogs   compilers beside it
//   libgomp default (nothing set)         --        --          5840
//   OMP_WAIT_POLICY=passive              135       154            350
//   active, spin forever                 118      2080             --
//   active + GOMP_SPINCOUNT=300000        87      4478             --
//   active + GOMP_SPINCOUNT=30000         87       186             --
//   active + GOMP_SPINCOUNT=3000          91       209             --
// (mobilenet_v2: 3.2-3.7 ms quiet for every bounded spin, 7.2 passive.)
// 30000 spins are as fast as spinning longer on a quiet machine, burn no CPU
// once idle, and stay within ~2x when other processes take the cores; 300000
// collapsed by 50x there (the partner thread is descheduled at every barrier).
// libgomp reads these variables once, when it is loaded (before main), so
// the tool re-executes itself once with them set, unless the user chose a
// policy. Library users set them in their own environment (README).
void ensure_omp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "active", 1);
  setenv("GOMP_SPINCOUNT", "30000", 1);
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
  parallax::tools::add_calibrate_command(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
