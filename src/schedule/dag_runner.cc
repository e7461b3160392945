#include "core/status_macros.h"
#include "schedule/dag_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>

namespace parallax {

namespace {

using Clock = std::chrono::steady_clock;

double micros(Clock::time_point since, Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(t - since).count();
}

struct Ready {
  double priority;
  uint32_t position;
  // Heaviest remaining path first; ties by position keep runs reproducible.
  bool operator<(const Ready& o) const {
    return priority != o.priority ? priority < o.priority : position > o.position;
  }
};

// One step's deferral in run_dag: ending it takes the runner's lock. It is
// refused while no other step is ready: the worker then waits for the device
// itself, which wakes it sooner than an event callback would (PoCL: measured
// 10-20 % slower transformer runs when every device step ended by callback),
// and any step that becomes ready meanwhile goes to another worker.
class DagDeferral final : public StepDeferral {
 public:
  // Ends a deferred step: (position, start, worker, threads given, status).
  using End = std::function<void(uint32_t, Clock::time_point, int, int, Status)>;
  DagDeferral(const std::function<bool()>& others_ready, const End& end, uint32_t position, Clock::time_point t0,
              int worker, int given)
      : others_ready_(others_ready), end_(end), position_(position), t0_(t0), worker_(worker), given_(given) {}
  // The Finish is made only here: steps that do not defer allocate nothing.
  Finish defer() override {
    if (!others_ready_()) return nullptr;
    deferred = true;
    return [end = &end_, pos = position_, t0 = t0_, worker = worker_, given = given_](Status s) {
      (*end)(pos, t0, worker, given, std::move(s));
    };
  }
  bool deferred = false;

 private:
  const std::function<bool()>& others_ready_;  // both live as long as the run
  const End& end_;
  uint32_t position_;
  Clock::time_point t0_;
  int worker_, given_;
};

}  // namespace

Status run_dag(ThreadPool& pool, const StepDag& dag, std::span<const double> priority, std::span<const double> cost,
               std::span<const int> max_threads, int threads, const StepTask& task, DagRunResult& result) {
  const size_t n = dag.size();
  const int workers = std::min(threads, pool.size() + 1);
  result.timing.assign(n, {});
  result.busy_us.assign(static_cast<size_t>(workers), 0);
  result.max_concurrency = 0;
  if (n == 0) return Status::ok();

  std::mutex mutex;
  std::condition_variable cv;
  std::vector<uint32_t> pending(dag.num_preds.begin(), dag.num_preds.end());
  std::vector<Ready> ready_storage;
  ready_storage.reserve(n);  // grows once per run, not once per doubling
  std::priority_queue<Ready> ready(std::less<Ready>(), std::move(ready_storage));
  double ready_cost = 0;  // sum of `cost` over `ready`
  for (uint32_t p = 0; p < n; ++p)
    if (pending[p] == 0) {
      ready.push({priority[p], p});
      ready_cost += cost[p];
    }
  int free_threads = threads, running = 0, in_flight = 0;  // in_flight: deferred, not yet ended
  bool caller_busy = false;
  size_t done = 0;
  bool failed = false;
  Status first_error = Status::ok();
  const Clock::time_point start = Clock::now();

  // With the lock held: the step is over (ok or not); its successors may start.
  auto complete = [&](uint32_t pos, Status s) {
    ++done;
    if (!s.is_ok()) {
      if (!failed) first_error = std::move(s);
      failed = true;
      cv.notify_all();
      return;
    }
    for (uint32_t succ : dag.succs[pos])
      if (--pending[succ] == 0) {
        ready.push({priority[succ], succ});
        ready_cost += cost[succ];
      }
  };

  const std::function<bool()> others_ready = [&] {
    std::lock_guard<std::mutex> guard(mutex);
    return !ready.empty();
  };
  const DagDeferral::End end_deferred = [&](uint32_t pos, Clock::time_point t0, int worker, int given, Status s) {
    std::lock_guard<std::mutex> guard(mutex);
    result.timing[pos] = {micros(start, t0), micros(start, Clock::now()), worker, given};
    --in_flight;
    complete(pos, std::move(s));
    cv.notify_all();  // under the lock: run_dag may return (and destroy cv) once it is released
  };

  pool.run(workers - 1, [&](int worker) {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      if (done == n || (failed && running == 0 && in_flight == 0)) break;
      if (failed || ready.empty() || free_threads == 0) {
        cv.wait(lock);
        continue;
      }
      const uint32_t top = ready.top().position;
      const bool alone = ready.size() == 1 || ready_cost - cost[top] < 0.5 * cost[top];
      const int team = std::max(1, std::min(free_threads, max_threads[top]));
      // Only the calling thread runs OpenMP teams: libgomp counts every
      // thread of every live team, and once they outnumber the cores it
      // throttles its spin-waiting (~100x shorter), which slowed whole runs
      // by 15 % (swin_v2_t). Pool workers take steps that get one thread.
      if (worker != 0 && alone && team > 1 && !caller_busy) {
        cv.notify_all();  // the caller takes it
        cv.wait(lock);
        continue;
      }
      const uint32_t pos = top;
      ready.pop();
      ready_cost -= cost[pos];
      const int given = alone && worker == 0 ? team : 1;
      if (worker == 0) caller_busy = true;
      free_threads -= given;
      ++running;
      result.max_concurrency = std::max(result.max_concurrency, running);
      if (!ready.empty() && free_threads > 0) cv.notify_one();
      lock.unlock();

      const Clock::time_point t0 = Clock::now();
      DagDeferral deferral(others_ready, end_deferred, pos, t0, worker, given);
      Status s = task(pos, worker, given, deferral);
      const Clock::time_point t1 = Clock::now();

      lock.lock();
      if (worker == 0) caller_busy = false;
      free_threads += given;
      --running;
      result.busy_us[static_cast<size_t>(worker)] += micros(t0, t1);
      if (deferral.deferred) {
        // The step ends in its Finish; a task error still stops the run.
        ++in_flight;
        if (!s.is_ok()) {
          if (!failed) first_error = std::move(s);
          failed = true;
        }
        cv.notify_all();
        continue;
      }
      result.timing[pos] = {micros(start, t0), micros(start, t1), worker, given};
      complete(pos, std::move(s));
      // This worker takes the best ready step itself; wake others for the rest.
      if (done == n || ready.size() > 1) cv.notify_all();
    }
    cv.notify_all();
  });
  return first_error;
}

namespace {

// The sequential executor never defers: the step would be waited for at
// once anyway, and a kernel waiting on its device wakes sooner than a callback.
class NoDeferral final : public StepDeferral {
 public:
  Finish defer() override { return nullptr; }
};

}  // namespace

Status run_in_order(size_t steps, int threads, const StepTask& task, DagRunResult& result) {
  result.timing.assign(steps, {});
  result.busy_us.assign(1, 0);
  result.max_concurrency = steps ? 1 : 0;
  const Clock::time_point start = Clock::now();
  for (uint32_t p = 0; p < steps; ++p) {
    const Clock::time_point t0 = Clock::now();
    NoDeferral deferral;
    Status s = task(p, 0, threads, deferral);
    const Clock::time_point t1 = Clock::now();
    result.busy_us[0] += micros(t0, t1);
    result.timing[p] = {micros(start, t0), micros(start, t1), 0, threads};
    PX_RETURN_IF_ERROR(s);
  }
  return Status::ok();
}

}  // namespace parallax
