// Deferred steps in the DAG runner: a step whose task returns before its
// work is done (an accelerator's commands in flight) frees its thread at
// once, other ready steps run meanwhile, and its successors start only after
// it ends. Deferring is refused where it gains nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "schedule/dag_runner.h"

namespace parallax {
namespace {

using namespace std::chrono_literals;

// 0 -> 1 (0 deferred), and 2, 3 independent of both.
StepDag diamond_free() {
  StepDag dag;
  dag.succs.resize(4);
  dag.num_preds.assign(4, 0);
  dag.add_edge(0, 1);
  return dag;
}

TEST(DagRunner, DeferredStepFreesItsThreadAndOrdersItsSuccessors) {
  ThreadPool pool(1);
  StepDag dag = diamond_free();
  std::vector<double> priority{4, 3, 2, 1}, cost(4, 1.0);
  std::vector<int> max_threads(4, 1);
  std::mutex m;
  std::vector<uint32_t> started;
  std::atomic<bool> zero_ended{false};
  std::atomic<bool> one_saw_zero_ended{false};
  std::thread device;
  auto task = [&](uint32_t pos, int, int, StepDeferral& deferral) -> Status {
    {
      std::lock_guard<std::mutex> lock(m);
      started.push_back(pos);
    }
    if (pos == 0) {
      // Ends 50 ms later on another thread, as an OpenCL event callback would.
      device = std::thread([&zero_ended, finish = deferral.defer()] {
        std::this_thread::sleep_for(50ms);
        zero_ended = true;
        finish(Status::ok());
      });
    }
    if (pos == 1) one_saw_zero_ended = zero_ended.load();
    return Status::ok();
  };
  DagRunResult result;
  // One thread in all: step 0 holding it until it ended would serialise 2 and 3 after it.
  Status s = run_dag(pool, dag, priority, cost, max_threads, 1, task, result);
  device.join();
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  ASSERT_EQ(started.size(), 4u);
  EXPECT_EQ(started[0], 0u);
  EXPECT_EQ(started[1], 2u);  // ran while 0 was in flight
  EXPECT_EQ(started[2], 3u);
  EXPECT_EQ(started[3], 1u);
  EXPECT_TRUE(one_saw_zero_ended);
  EXPECT_GE(result.timing[0].end_us - result.timing[0].start_us, 40e3);  // its span covers the device time
  EXPECT_LE(result.timing[0].end_us, result.timing[1].start_us);
}

TEST(DagRunner, DeferredFailureStopsTheRun) {
  ThreadPool pool(1);
  StepDag dag = diamond_free();
  std::vector<double> priority{4, 3, 2, 1}, cost(4, 1.0);
  std::vector<int> max_threads(4, 1);
  std::atomic<bool> one_ran{false};
  bool deferred = false;
  std::thread device;
  auto task = [&](uint32_t pos, int, int, StepDeferral& deferral) -> Status {
    if (pos == 0) {
      auto finish = deferral.defer();
      deferred = static_cast<bool>(finish);
      if (deferred)
        device = std::thread([finish = std::move(finish)] {
          std::this_thread::sleep_for(10ms);
          finish(Status(StatusCode::kInternal, "device lost"));
        });
    }
    if (pos == 1) one_ran = true;
    return Status::ok();
  };
  DagRunResult result;
  // One thread: steps 2 and 3 are still waiting when step 0 defers, so the
  // deferral is granted (with two, the other thread may have run them both
  // already and the deferral would rightly be refused).
  Status s = run_dag(pool, dag, priority, cost, max_threads, 1, task, result);
  if (device.joinable()) device.join();
  ASSERT_TRUE(deferred);
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("device lost"), std::string::npos);
  EXPECT_FALSE(one_ran);
}

TEST(DagRunner, DeferralIsRefusedWhenNothingElseCouldRun) {
  ThreadPool pool(1);
  StepDag dag;  // 0 -> 1: while 0 runs, nothing is ready
  dag.succs.resize(2);
  dag.num_preds.assign(2, 0);
  dag.add_edge(0, 1);
  std::vector<double> priority{2, 1}, cost(2, 1.0);
  std::vector<int> max_threads(2, 1);
  bool refused_in_dag = false, refused_in_order = false;
  DagRunResult result;
  auto task = [&](uint32_t pos, int, int, StepDeferral& deferral) -> Status {
    if (pos == 0) refused_in_dag = !deferral.defer();
    return Status::ok();
  };
  ASSERT_TRUE(run_dag(pool, dag, priority, cost, max_threads, 2, task, result).is_ok());
  EXPECT_TRUE(refused_in_dag);
  auto in_order = [&](uint32_t, int, int, StepDeferral& deferral) -> Status {
    refused_in_order = !deferral.defer();
    return Status::ok();
  };
  ASSERT_TRUE(run_in_order(2, 1, in_order, result).is_ok());
  EXPECT_TRUE(refused_in_order);
}

}  // namespace
}  // namespace parallax
