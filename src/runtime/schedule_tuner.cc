#include "runtime/schedule_tuner.h"

#include <algorithm>
#include <sstream>

namespace parallax {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  if (v.size() % 2 == 1) return v[mid];
  const double hi = v[mid];
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + hi) / 2;
}

std::string arm_name(const TunerArm& a) {
  return std::string(execution_mode_name(a.mode)) + " x" + std::to_string(a.threads);
}

}  // namespace

ScheduleTuner::ScheduleTuner(std::vector<TunerArm> arms, TunerPolicy policy)
    : arms_(std::move(arms)), policy_(policy), probe_interval_(policy.probe_interval) {
  if (arms_.empty()) arms_.push_back({});
  samples_.assign(arms_.size(), {});
  probe_ms_.assign(arms_.size(), -1);
  if (arms_.size() == 1) {
    decided_ = true;
    phase_ = Phase::kExploit;
    return;
  }
  start_trial();
}

size_t ScheduleTuner::next() const {
  return queue_.empty() ? chosen_ : queue_.front().arm;
}

void ScheduleTuner::start_trial() {
  phase_ = Phase::kTrial;
  ++trials_;
  queue_.clear();
  for (auto& s : samples_) s.clear();
  const size_t n = arms_.size();
  for (int r = 0; r < policy_.trial_rounds; ++r)
    for (size_t i = 0; i < n; ++i) {
      const size_t a = r % 2 == 0 ? i : n - 1 - i;
      // The arm of the run before stays warm: no untimed run when it goes on.
      if (queue_.empty() || queue_.back().arm != a) queue_.push_back({a, false});
      for (int b = 0; b < policy_.block_runs; ++b) queue_.push_back({a, true});
    }
}

int ScheduleTuner::trial_length() const {
  if (arms_.size() == 1) return 0;
  const int n = static_cast<int>(arms_.size());
  return policy_.trial_rounds * n * (1 + policy_.block_runs) - (policy_.trial_rounds - 1);
}

void ScheduleTuner::start_probe() {
  phase_ = Phase::kProbe;
  queue_.clear();
  std::fill(probe_ms_.begin(), probe_ms_.end(), -1.0);
  for (size_t a = 0; a < arms_.size(); ++a)
    if (a != chosen_) queue_.push_back({a, true});
}

void ScheduleTuner::decide() {
  std::vector<double> med(arms_.size());
  for (size_t a = 0; a < arms_.size(); ++a) med[a] = median(samples_[a]);
  size_t best = 0;
  for (size_t a = 1; a < arms_.size(); ++a)
    if (med[a] < med[best]) best = a;
  // The simplest arm within the margin of the fastest: noise must not buy complexity.
  for (size_t a = 0; a < best; ++a)
    if (med[a] <= med[best] * (1 + policy_.keep_margin)) {
      best = a;
      break;
    }
  const bool changed = !decided_ || best != chosen_;
  chosen_ = best;
  chosen_ms_ = med[best];
  decided_ = true;
  phase_ = Phase::kExploit;
  recent_.clear();
  since_probe_ = 0;
  if (changed) probe_interval_ = policy_.probe_interval;
  std::ostringstream v;
  v.precision(3);
  v << "adaptive: " << arm_name(arms_[best]) << " kept (";
  for (size_t a = 0; a < arms_.size(); ++a) v << (a ? ", " : "") << arm_name(arms_[a]) << ' ' << med[a] << " ms";
  v << ", medians of " << policy_.trial_rounds * policy_.block_runs << " runs; trial " << trials_ << ')';
  verdict_ = v.str();
}

void ScheduleTuner::report(size_t arm, double wall_ms) {
  if (arm >= arms_.size() || arms_.size() == 1) return;
  bool timed = true;
  if (!queue_.empty() && queue_.front().arm == arm) {
    timed = queue_.front().timed;
    queue_.pop_front();
  }

  switch (phase_) {
    case Phase::kTrial:
      if (timed) samples_[arm].push_back(wall_ms);
      if (queue_.empty()) decide();
      return;
    case Phase::kProbe:
      probe_ms_[arm] = wall_ms;
      if (!queue_.empty()) return;
      {
        const double now = recent_.empty() ? chosen_ms_ : median({recent_.begin(), recent_.end()});
        for (size_t a = 0; a < arms_.size(); ++a)
          if (a != chosen_ && probe_ms_[a] >= 0 && probe_ms_[a] * (1 + policy_.probe_margin) < now) {
            start_trial();
            return;
          }
      }
      phase_ = Phase::kExploit;
      since_probe_ = 0;
      probe_interval_ = std::min(probe_interval_ * 2, policy_.max_probe_interval);
      return;
    case Phase::kExploit:
      if (arm != chosen_) return;
      recent_.push_back(wall_ms);
      if (recent_.size() > policy_.window) recent_.pop_front();
      if (recent_.size() == policy_.window && median({recent_.begin(), recent_.end()}) > policy_.drift * chosen_ms_) {
        start_trial();
        return;
      }
      if (++since_probe_ >= probe_interval_) start_probe();
      return;
  }
}

}  // namespace parallax
