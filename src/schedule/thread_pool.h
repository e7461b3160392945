// Threads that live as long as a session. A job runs one function on the
// calling thread (worker 0) and on some pool threads (1..n) at once; between
// jobs the pool threads sleep on a condition variable, so an idle session
// costs no CPU. Intra-op parallelism stays with each worker's own OpenMP
// team: the scheduler hands every running node a thread count and the counts
// never sum past the session's total, so pool and OpenMP threads do not fight
// over cores.
//
//   ThreadPool pool(3);                       // 3 pool threads + the caller
//   pool.run(3, [&](int worker) { ... });     // runs on 4 threads, returns when all are done
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/cpu_set.h"

namespace parallax {

class ThreadPool {
 public:
  // `cores`: each pool thread pins itself to them when it starts (empty: no pinning).
  explicit ThreadPool(int threads, const CpuSet& cores = {});
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(threads_.size()); }
  // Calls fn(0) here and fn(1..extra) on pool threads; extra <= size(). Not reentrant.
  void run(int extra, const std::function<void(int)>& fn);

 private:
  void loop(int worker);

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  int job_workers_ = 0;
  unsigned long generation_ = 0;
  int busy_ = 0;
  bool stop_ = false;
};

}  // namespace parallax
