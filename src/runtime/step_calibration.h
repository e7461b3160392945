// What the dataflow scheduler knows about each step of a plan, from the
// planner's MAC estimates at first and from measured times after the first
// dataflow runs: its priority (longest remaining path), its cost, and how
// many threads it may take.
//
//   StepCalibration cal(plan, threads);
//   run_dag(pool, plan.dag, cal.priority(), cal.cost_us(), cal.max_threads(), ...);
//   cal.observe(plan, result);  // after each dataflow run; the first ones calibrate
#pragma once

#include <span>
#include <vector>

#include "plan/execution_plan.h"
#include "schedule/dag_runner.h"

namespace parallax {

class StepCalibration {
 public:
  StepCalibration(const ExecutionPlan& plan, int threads);

  std::span<const double> priority() const { return priority_; }
  std::span<const double> cost_us() const { return cost_us_; }
  std::span<const int> max_threads() const { return max_threads_; }

  // Measured times replace the estimates after the first kCalibratingRuns
  // dataflow runs (later ones would only chase noise). A step whose CPU time,
  // at the threads it got, is under kTeamWorthUs runs on one thread from then
  // on: waking an OpenMP team and meeting at its barrier costs about that much.
  void observe(const ExecutionPlan& plan, const DagRunResult& result);

  static constexpr int kCalibratingRuns = 2;
  static constexpr double kTeamWorthUs = 40;

 private:
  std::vector<double> priority_;  // per position
  std::vector<double> cost_us_;   // per position, as single-thread time
  std::vector<int> max_threads_;  // per position
  int runs_ = 0;
};

// Per position, the time the step took in `result`.
std::vector<double> measured_step_us(const DagRunResult& result);

}  // namespace parallax
