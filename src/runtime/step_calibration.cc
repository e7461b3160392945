#include "runtime/step_calibration.h"

namespace parallax {

std::vector<double> measured_step_us(const DagRunResult& result) {
  std::vector<double> measured(result.timing.size());
  for (size_t p = 0; p < measured.size(); ++p) measured[p] = result.timing[p].end_us - result.timing[p].start_us;
  return measured;
}

StepCalibration::StepCalibration(const ExecutionPlan& plan, int threads)
    : priority_(remaining_path(plan.dag, plan.cost_us)),
      cost_us_(plan.cost_us),
      max_threads_(plan.order.size(), threads) {}

void StepCalibration::observe(const ExecutionPlan& plan, const DagRunResult& result) {
  if (runs_ >= kCalibratingRuns) return;
  ++runs_;
  const std::vector<double> measured = measured_step_us(result);
  priority_ = remaining_path(plan.dag, measured);
  // Costs as single-thread time, so that steps measured at different thread counts compare.
  for (size_t p = 0; p < measured.size(); ++p) {
    cost_us_[p] = measured[p] * result.timing[p].threads;
    if (cost_us_[p] < kTeamWorthUs) max_threads_[p] = 1;
  }
}

}  // namespace parallax
