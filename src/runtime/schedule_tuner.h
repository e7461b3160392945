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
//   trial    `trial_rounds` rounds; in each, every arm runs a block: one
//            untimed run on switching to it, then `block_runs` timed runs.
//            The second round visits the arms in reverse order, so a machine
//            drifting during the trial weighs on every arm alike. The
//            lowest median wins, but an arm earlier in the list (simpler) is
//            kept when it is within `keep_margin` of the winner.
//   exploit  the chosen arm runs. Its last `window` times are watched: a
//            median above `drift` x the one it was chosen at (load arrived)
//            starts a new trial at once.
//   probe    every `probe_interval` runs each other arm runs once; one that
//            beats the chosen arm's recent median by `probe_margin` (load
//            left) starts a new trial. Probes that confirm the choice double
//            the interval, up to `max_probe_interval`, so a steady machine
//            pays almost nothing for them.
//
// Why blocks, not round robin: a run right after a switch pays for the other
// arm's state (its oneDNN primitives and packed weights in the caches, an
// OpenMP team gone to sleep). Measured round robin, mobilenet_v2 int8 timed
// sequential x2 at 3.35-3.9 ms in trials and 2.97 ms when run alone.
// Why a wider margin for probes than for trials: a probe is one run, and arms
// within a few percent of each other (dataflow and sequential on a chain)
// beat each other by 3 % in single runs by chance; each such probe bought a
// whole trial, slow arms included (default 3.2 ms against --mode sequential's
// 2.9 on the same model). Load leaving changes times by far more than 10 %.
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
  int trial_rounds = 2;
  int block_runs = 2;
  double keep_margin = 0.03;
  double probe_margin = 0.10;
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

  // Runs a trial takes (the first one: bench's warm-up covers it).
  int trial_length() const;
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
  struct Slot {
    size_t arm;
    bool timed;
  };
  std::deque<Slot> queue_;                    // runs still to make in this trial or probe
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
