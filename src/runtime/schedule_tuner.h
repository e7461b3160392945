// Chooses how each run executes — which plan, how many threads — from the
// run times it measures, and keeps choosing while the machine changes.
//
//   ScheduleTuner tuner({{ExecutionMode::kSequential, 2}, {ExecutionMode::kDataflow, 2},
//                        {ExecutionMode::kSequential, 1}});
//   for (;;) {
//     size_t arm = tuner.next();          // run with tuner.arm(arm)
//     tuner.report(arm, measured_ms);
//   }
//
// Why measure instead of deciding once: on an edge device other processes
// come and go. With a busy process on one of two cores, an OpenMP team of two
// waits at every barrier for its descheduled partner (3.5-6x slower, issue
// 14), while one thread on the free core is barely slower than on a quiet
// machine; on a quiet machine the team wins again. No fixed setting is best
// in both, so the tuner watches the chosen arm and re-decides:
//
//   trial    each arm runs `warmup_runs` untimed (first-use caches) then
//            `trial_runs` timed runs, round robin; the lowest median wins,
//            but an arm earlier in the list (simpler) is kept when it is
//            within `keep_margin` of the winner.
//   exploit  the chosen arm runs. Its last `window` times are watched: a
//            median above `drift` x the one it was chosen at (load arrived)
//            starts a new trial at once.
//   probe    every `probe_interval` runs each other arm runs once; one that
//            beats the chosen arm's recent median by `keep_margin` (load
//            left) starts a new trial. Probes that confirm the choice double
//            the interval, up to `max_probe_interval`, so a steady machine
//            pays almost nothing for them.
//
// Pure logic on numbers: no clocks, no threads; Program feeds it.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "parallax/session.h"

namespace parallax {

struct TunerArm {
  ExecutionMode mode = ExecutionMode::kSequential;  // kSequential or kDataflow
  int threads = 1;
};

struct TunerPolicy {
  int warmup_runs = 1;
  int trial_runs = 3;
  double keep_margin = 0.03;
  size_t window = 8;
  double drift = 1.3;
  int probe_interval = 32;
  int max_probe_interval = 512;
};

class ScheduleTuner {
 public:
  explicit ScheduleTuner(std::vector<TunerArm> arms, TunerPolicy policy = {});

  const TunerArm& arm(size_t i) const { return arms_[i]; }
  size_t num_arms() const { return arms_.size(); }

  // The arm the next run should use.
  size_t next() const;
  // The run made with `arm` (what next() said) took `wall_ms`.
  void report(size_t arm, double wall_ms);

  // True once a trial has decided (false during the first trial).
  bool decided() const { return decided_; }
  size_t chosen() const { return chosen_; }
  int trials() const { return trials_; }
  // Why the chosen arm runs: "dataflow x2 kept (sequential x2 3.1 ms, ...)".
  const std::string& verdict() const { return verdict_; }

 private:
  enum class Phase { kTrial, kExploit, kProbe };
  void start_trial();
  void decide();
  void start_probe();

  std::vector<TunerArm> arms_;
  TunerPolicy policy_;
  Phase phase_ = Phase::kTrial;
  std::deque<size_t> queue_;                  // arms still to run in this trial or probe
  std::vector<int> runs_;                     // per arm, all runs ever (warm-ups are the first)
  std::vector<std::vector<double>> samples_;  // per arm, this trial's timed runs
  std::vector<double> probe_ms_;              // this probe's time per arm (< 0: not yet)
  std::deque<double> recent_;                 // the chosen arm's last runs
  size_t chosen_ = 0;
  bool decided_ = false;
  double chosen_ms_ = 0;  // the chosen arm's median when it was chosen
  int since_probe_ = 0;
  int probe_interval_;
  int trials_ = 0;
  std::string verdict_;
};

}  // namespace parallax
