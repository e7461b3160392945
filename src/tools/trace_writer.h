// Chrome-trace / Perfetto JSON ("traceEvents" format) from the timelines of
// one or more runs (SessionOptions::record_timeline). Open the file in
// https://ui.perfetto.dev or chrome://tracing.
//
// Layout, one process "parallax":
//   - one track per thread: "thread 0 (caller)", "worker 1", ...
//   - on each thread track, three nesting levels: a "run" slice (caller track
//     only) encloses the whole run; a "branch" slice encloses each contiguous
//     stretch of ops of one partition branch on that thread; an "op" slice per
//     node (name = op type; args: node, branch, threads).
//   - counters "arena" (planned arena bytes, sequential plan's bytes) and
//     "peak live" (measured peak live bytes), one sample per run.
// Branch slices share the op's track rather than a separate process so that
// Perfetto draws them directly above the ops they contain.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "parallax/session.h"

namespace parallax::tools {

struct TracedRun {
  RunStatistics stats;
  double start_us = 0;  // when the run began, on the trace's clock; runs must not overlap
  // Wall time measured by the caller; used when stats.wall_ms is 0 (a
  // runtime that does not fill it in) so that the run slice still has a length.
  double measured_ms = 0;
};

// Pure: the same runs always give the same JSON. Timeline spans are relative
// to their run's start, so each run's spans are shifted by its start_us.
nlohmann::json make_trace(const std::vector<TracedRun>& runs);

// Runs laid out one after another with a small gap, for callers that did not
// keep start times.
std::vector<TracedRun> back_to_back(const std::vector<RunStatistics>& runs);

}  // namespace parallax::tools
