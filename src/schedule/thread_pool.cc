#include "schedule/thread_pool.h"

namespace parallax {

ThreadPool::ThreadPool(int threads, const CpuSet& cores) {
  for (int i = 0; i < threads; ++i)
    threads_.emplace_back([this, i, cores] {
      (void)pin_this_thread(cores);  // the cores were checked when the session opened
      loop(i + 1);
    });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::run(int extra, const std::function<void(int)>& fn) {
  if (extra > size()) extra = size();
  if (extra > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    job_workers_ = extra;
    busy_ = extra;
    ++generation_;
  }
  if (extra > 0) wake_.notify_all();
  fn(0);
  if (extra > 0) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return busy_ == 0; });
    job_ = nullptr;
  }
}

void ThreadPool::loop(int worker) {
  unsigned long seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    if (worker > job_workers_) continue;
    const std::function<void(int)>* job = job_;
    lock.unlock();
    (*job)(worker);
    lock.lock();
    if (--busy_ == 0) done_.notify_one();
  }
}

}  // namespace parallax
