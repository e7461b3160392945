#include "runtime/run_statistics.h"

#include <algorithm>

#include "runtime/step_calibration.h"

namespace parallax {
namespace {

// Branch pairs whose nodes overlapped in time (sweep over start times).
std::vector<std::pair<int, int>> concurrent_branch_pairs(const ExecutionPlan& ep, const DagRunResult& r) {
  std::vector<uint32_t> by_start(r.timing.size());
  for (uint32_t p = 0; p < by_start.size(); ++p) by_start[p] = p;
  std::sort(by_start.begin(), by_start.end(),
            [&](uint32_t a, uint32_t b) { return r.timing[a].start_us < r.timing[b].start_us; });
  std::vector<std::pair<int, int>> pairs;
  std::vector<uint32_t> active;
  for (uint32_t p : by_start) {
    std::erase_if(active, [&](uint32_t a) { return r.timing[a].end_us <= r.timing[p].start_us; });
    for (uint32_t a : active) {
      int x = ep.branch[a], y = ep.branch[p];
      if (x != y && x >= 0 && y >= 0) pairs.emplace_back(std::min(x, y), std::max(x, y));
    }
    active.push_back(p);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

}  // namespace

void fill_run_statistics(const RunRecord& run, bool timeline, RunStatistics& st) {
  const ExecutionPlan& ep = run.plan;
  const DagRunResult& result = run.result;
  st.mode = run.sequential ? ExecutionMode::kSequential : ep.mode;
  st.wall_ms = run.wall_ms;
  st.nodes_run = ep.order.size();
  st.arena_bytes = ep.arena_bytes;
  st.sequential_arena_bytes = ep.sequential_arena_bytes;
  st.lower_bound_arena_bytes = ep.lower_bound_bytes;
  st.peak_live_bytes = run.peak_live_bytes;
  st.pooled_peak_bytes = run.pooled_peak_bytes;
  st.pooled_cached_bytes = run.pooled_cached_bytes;
  st.memory_budget = run.memory_budget;
  st.arena_allocations = run.arena_allocations;
  st.max_concurrency = result.max_concurrency;
  st.concurrent_branches = run.sequential ? std::vector<std::pair<int, int>>{} : concurrent_branch_pairs(ep, result);
  st.thread_busy_ms.clear();
  double busy = 0;
  for (double us : result.busy_us) {
    st.thread_busy_ms.push_back(us * 1e-3);
    busy += us * 1e-3;
  }
  const std::vector<double> path = remaining_path(ep.dag, measured_step_us(result));
  st.critical_path_ms = path.empty() ? 0 : *std::max_element(path.begin(), path.end()) * 1e-3;
  st.bound_ms = std::max(st.critical_path_ms, busy / run.num_threads);
  const std::string verdict(run.tuner_verdict);
  st.note = ep.note.empty() ? verdict : verdict.empty() ? ep.note : ep.note + "; " + verdict;
  st.threads = run.threads;
  st.timeline.clear();
  if (!timeline) return;
  const ShapePlan& shapes = *ep.shapes;
  for (size_t p = 0; p < result.timing.size(); ++p) {
    const NodeId id = shapes.steps[ep.order[p]].node;
    const Node& node = run.graph.node(id);
    const StepTiming& t = result.timing[p];
    const bool device = run.on_device && run.on_device[id.index()];
    st.timeline.push_back({node.name.empty() ? node.op_type : node.name, node.op_type, ep.branch[p], t.worker,
                           t.threads, t.start_us, t.end_us, device ? std::string(run.accelerator) : ""});
  }
}

}  // namespace parallax
