#include "tools/trace_writer.h"

#include <algorithm>
#include <map>
#include <string>

namespace parallax::tools {

namespace {

using nlohmann::json;

constexpr int kPid = 1;

// Nodes an accelerator ran get a track of their own, after the threads':
// their spans run from the enqueue to the device's completion, while the
// CPU threads go on with other nodes.
constexpr int kDeviceTid = 1000;

std::string thread_name(int tid) {
  return tid == 0 ? "thread 0 (caller)" : "worker " + std::to_string(tid);
}

// Earliest start and latest end of a run on its own clock. The run slice
// spans at least [0, wall], and also any span that strays outside it
// (clock granularity), so that it always encloses everything on the caller
// track: Perfetto drops or misplaces slices that overlap without nesting.
std::pair<double, double> run_extent(const TracedRun& run) {
  double wall_us = (run.stats.wall_ms > 0 ? run.stats.wall_ms : run.measured_ms) * 1e3;
  double lo = 0, hi = std::max(wall_us, 0.0);
  for (const NodeSpan& s : run.stats.timeline) {
    lo = std::min(lo, s.start_us);
    hi = std::max(hi, s.end_us);
  }
  return {lo, hi};
}

json complete_event(std::string name, const char* cat, int tid, double ts, double dur, json args) {
  return {{"ph", "X"},
          {"pid", kPid},
          {"tid", tid},
          {"name", std::move(name)},
          {"cat", cat},
          {"ts", ts},
          {"dur", std::max(dur, 0.0)},
          {"args", std::move(args)}};
}

json run_args(const RunStatistics& s, size_t index, double wall_ms) {
  json pairs = json::array();
  for (const auto& [a, b] : s.concurrent_branches) pairs.push_back({a, b});
  return {{"run", index},
          {"mode", execution_mode_name(s.mode)},
          {"wall_ms", wall_ms},
          {"nodes_run", s.nodes_run},
          {"max_concurrency", s.max_concurrency},
          {"concurrent_branches", std::move(pairs)},
          {"arena_bytes", s.arena_bytes},
          {"sequential_arena_bytes", s.sequential_arena_bytes},
          {"peak_live_bytes", s.peak_live_bytes},
          {"memory_budget", s.memory_budget},
          {"critical_path_ms", s.critical_path_ms},
          {"bound_ms", s.bound_ms},
          {"note", s.note}};
}

// The op slices of one thread, and a branch slice around each contiguous
// stretch of the same branch (branch -1, no branch, gets none).
void add_thread_spans(std::vector<const NodeSpan*> spans, int tid, double offset, json& events) {
  std::stable_sort(spans.begin(), spans.end(),
                   [](const NodeSpan* a, const NodeSpan* b) { return a->start_us < b->start_us; });
  for (size_t i = 0; i < spans.size();) {
    size_t j = i + 1;
    double end = spans[i]->end_us;
    const int branch = spans[i]->branch;
    while (j < spans.size() && branch >= 0 && spans[j]->branch == branch) end = std::max(end, spans[j++]->end_us);
    if (branch >= 0)
      events.push_back(complete_event("branch " + std::to_string(branch), "branch", tid, offset + spans[i]->start_us,
                                      end - spans[i]->start_us, {{"branch", branch}, {"ops", j - i}}));
    for (size_t k = i; k < j; ++k) {
      const NodeSpan& s = *spans[k];
      events.push_back(complete_event(s.op.empty() ? std::string("?") : s.op, "op", tid, offset + s.start_us,
                                      s.end_us - s.start_us,
                                      {{"node", s.node}, {"branch", s.branch}, {"threads", s.threads}}));
    }
    i = j;
  }
}

}  // namespace

json make_trace(const std::vector<TracedRun>& runs) {
  json slices = json::array();
  int num_threads = 1;  // the caller's track always exists: it holds the run slices
  std::string device;   // the accelerator's name, if any node ran on one
  for (size_t r = 0; r < runs.size(); ++r) {
    const TracedRun& run = runs[r];
    const RunStatistics& s = run.stats;
    auto [lo, hi] = run_extent(run);
    slices.push_back(complete_event("run " + std::to_string(r), "run", 0, run.start_us + lo, hi - lo,
                                    run_args(s, r, (hi - lo) * 1e-3)));
    // Counter samples at the run's start: the arena is planned before any node runs.
    slices.push_back({{"ph", "C"},
                      {"pid", kPid},
                      {"name", "arena"},
                      {"ts", run.start_us + lo},
                      {"args", {{"planned", s.arena_bytes}, {"sequential", s.sequential_arena_bytes}}}});
    slices.push_back({{"ph", "C"},
                      {"pid", kPid},
                      {"name", "peak live"},
                      {"ts", run.start_us + lo},
                      {"args", {{"bytes", s.peak_live_bytes}}}});
    std::map<int, std::vector<const NodeSpan*>> by_thread;
    for (const NodeSpan& span : s.timeline) {
      if (!span.device.empty()) device = span.device;
      by_thread[span.device.empty() ? std::max(span.thread, 0) : kDeviceTid].push_back(&span);
    }
    for (auto& [tid, spans] : by_thread) {
      if (tid != kDeviceTid) num_threads = std::max(num_threads, tid + 1);
      add_thread_spans(std::move(spans), tid, run.start_us, slices);
    }
    num_threads = std::max(num_threads, static_cast<int>(s.thread_busy_ms.size()));
  }
  // Enclosing slices first when they start together: viewers that nest by
  // arrival order (chrome://tracing) then put the op inside its branch and run.
  std::stable_sort(slices.begin(), slices.end(), [](const json& a, const json& b) {
    double ta = a["ts"].get<double>(), tb = b["ts"].get<double>();
    if (ta != tb) return ta < tb;
    return a.value("dur", 0.0) > b.value("dur", 0.0);
  });

  json events = json::array();
  events.push_back({{"ph", "M"}, {"pid", kPid}, {"name", "process_name"}, {"args", {{"name", "parallax"}}}});
  for (int tid = 0; tid < num_threads; ++tid) {
    events.push_back(
        {{"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"name", "thread_name"}, {"args", {{"name", thread_name(tid)}}}});
    // Keep tracks in thread order (Perfetto otherwise sorts by activity).
    events.push_back(
        {{"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"name", "thread_sort_index"}, {"args", {{"sort_index", tid}}}});
  }
  if (!device.empty()) {
    events.push_back({{"ph", "M"}, {"pid", kPid}, {"tid", kDeviceTid}, {"name", "thread_name"},
                      {"args", {{"name", device + " device"}}}});
    events.push_back({{"ph", "M"}, {"pid", kPid}, {"tid", kDeviceTid}, {"name", "thread_sort_index"},
                      {"args", {{"sort_index", kDeviceTid}}}});
  }
  for (json& e : slices) events.push_back(std::move(e));
  return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

std::vector<TracedRun> back_to_back(const std::vector<RunStatistics>& runs) {
  // A visible gap between runs, so that consecutive run slices do not touch.
  constexpr double kGapUs = 100;
  std::vector<TracedRun> out;
  double t = 0;
  for (const RunStatistics& s : runs) {
    TracedRun run{s, 0, 0};
    auto [lo, hi] = run_extent(run);
    run.start_us = t - lo;
    t += (hi - lo) + kGapUs;
    out.push_back(std::move(run));
  }
  return out;
}

}  // namespace parallax::tools
