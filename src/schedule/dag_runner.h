// Runs the steps of a StepDag on a ThreadPool: a step starts when all its
// predecessors are done; among ready steps the highest priority (longest
// remaining path) goes first. Threads are a budget, not a worker count: a
// step gets every free thread for its kernel (at most its `max_threads`:
// steps measured too short to gain from an OpenMP team get 1) when it starts
// alone or when the other ready steps together cost less than half of it
// (they wait rather than leave a big kernel on one core); otherwise one
// thread. Only the calling thread (worker 0) runs multi-threaded steps, so
// there is one OpenMP team. The threads handed out never exceed `threads`,
// so intra-op OpenMP teams never oversubscribe the cores.
// The first failing step stops the run (running steps finish; nothing new
// starts) and its Status is returned.
//
// A step may end after its task returns (StepDeferral): an accelerator's
// commands are still in flight. Its threads go back to the pool at once, so
// the CPU workers run other ready steps (or sleep) instead of waiting on the
// device; its successors become ready when the device says it is done.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "parallax/status.h"
#include "plan/step_dag.h"
#include "schedule/thread_pool.h"

namespace parallax {

struct StepTiming {
  double start_us = 0, end_us = 0;  // since the run began
  int worker = 0;
  int threads = 1;
};

struct DagRunResult {
  std::vector<StepTiming> timing;  // per position
  std::vector<double> busy_us;     // per worker
  int max_concurrency = 0;
};

// Handed to every task. defer(), called at most once and before the task
// returns, keeps the step running after the task returns; the function it
// gives ends the step (from any thread, exactly once), with the step's
// Status. It may refuse (an empty function) when deferring would gain
// nothing (run_dag: no other step is ready; run_in_order: always); the task
// then finishes its work before returning.
class StepDeferral {
 public:
  using Finish = std::function<void(Status)>;
  virtual Finish defer() = 0;

 protected:
  ~StepDeferral() = default;
};

using StepTask = std::function<Status(uint32_t position, int worker, int threads, StepDeferral& deferral)>;

// `priority`, `cost` (expected time) and `max_threads` are per position.
Status run_dag(ThreadPool& pool, const StepDag& dag, std::span<const double> priority, std::span<const double> cost,
               std::span<const int> max_threads, int threads, const StepTask& task, DagRunResult& result);

// The same contract on the calling thread alone, in position order (the
// sequential executor): every step gets all `threads`, and no step is
// deferred: it waits for its device, as a delegate-based runtime does.
Status run_in_order(size_t steps, int threads, const StepTask& task, DagRunResult& result);

}  // namespace parallax
