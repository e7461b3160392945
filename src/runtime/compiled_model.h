// A CompiledModel is a loaded model made runnable under one SessionOptions,
// once: the accelerator opened, the graph prepared, the passes both devices
// share run, each node placed (device regions chosen by the offload rule),
// the CPU-only passes run on the CPU's nodes, and every kernel made. A Session runs one; `parallax plan`
// compiles one from the same options to print the partition and the regions
// a run executes, rather than building a plan of its own.
//
//   PX_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model(path, {}));
//   PX_ASSIGN_OR_RETURN(CompiledModel cm, compile_model(std::move(model), options));
//   PX_ASSIGN_OR_RETURN(PlannedPartition p, cm.program->partition_for(inputs, {}));
//   // p.partition.regions, p.partition.nodes[n].region: the run's own
#pragma once

#include <memory>

#include "core/cpu_set.h"
#include "core/status_macros.h"
#include "format/onnx_loader.h"
#include "parallax/session.h"
#include "runtime/program.h"

namespace parallax {

struct CompiledModel {
  // The graph as compiled: prepared, optimised for the placement, and with
  // the weights that kernels keep packed let go (only their shapes remain).
  std::unique_ptr<Model> model;
  std::unique_ptr<Program> program;
  // The accelerator that opened (null and kNone: CPU only, also when the one
  // asked for is not on this machine, which warns once).
  std::shared_ptr<Backend> accelerator;
  Accelerator accelerator_kind = Accelerator::kNone;
  CpuSet cpu_cores;     // SessionOptions::cpu_cores, checked and sorted; empty: no pinning
  int num_threads = 1;  // at most one per given core
};

// Errors: options out of range, an accelerator setting its backend cannot
// honour, a node no kernel supports, a broken device profile named in the options.
Result<CompiledModel> compile_model(std::unique_ptr<Model> model, const SessionOptions& options);

}  // namespace parallax
