// RunStatistics (include/parallax/session.h) of one run, from what the
// executor measured: kept apart from the executor so that a run that nobody
// asks about pays nothing for them.
#pragma once

#include <string_view>

#include "graph/graph.h"
#include "parallax/session.h"
#include "plan/execution_plan.h"
#include "schedule/dag_runner.h"

namespace parallax {

struct RunRecord {
  const Graph& graph;
  const ExecutionPlan& plan;
  const DagRunResult& result;
  double wall_ms = 0;
  int threads = 1;      // the run used
  int num_threads = 1;  // the session has
  bool sequential = true;
  size_t peak_live_bytes = 0;  // arena, measured
  size_t pooled_peak_bytes = 0;
  size_t pooled_cached_bytes = 0;
  size_t memory_budget = 0;
  size_t arena_allocations = 0;
  std::string_view tuner_verdict;
  const bool* on_device = nullptr;  // per node; null without an accelerator
  std::string_view accelerator;
};

// Fills `stats` from `run`; `timeline` adds one NodeSpan per step.
void fill_run_statistics(const RunRecord& run, bool timeline, RunStatistics& stats);

}  // namespace parallax
