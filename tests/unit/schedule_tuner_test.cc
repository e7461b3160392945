// The adaptive schedule's decisions, fed synthetic run times.
#include "runtime/schedule_tuner.h"

#include <gtest/gtest.h>

#include <functional>

namespace parallax {
namespace {

const std::vector<TunerArm> kArms = {
    {ExecutionMode::kSequential, 2}, {ExecutionMode::kDataflow, 2}, {ExecutionMode::kSequential, 1}};

// Runs `n` runs; `ms(arm)` is what each arm takes now. Returns how often each arm ran.
std::vector<int> drive(ScheduleTuner& t, int n, const std::function<double(size_t)>& ms) {
  std::vector<int> count(t.num_arms(), 0);
  for (int i = 0; i < n; ++i) {
    const size_t a = t.next();
    ++count[a];
    t.report(a, ms(a));
  }
  return count;
}

TEST(ScheduleTuner, TrialRunsEachArmInBlocksForwardThenBackward) {
  ScheduleTuner t(kArms);
  const double ms[] = {10, 8, 15};
  std::vector<size_t> order;
  ASSERT_EQ(t.trial_length(), 17);
  for (int i = 0; i < t.trial_length(); ++i) {
    EXPECT_FALSE(t.decided()) << i;
    order.push_back(t.next());
    t.report(order.back(), ms[order.back()]);
  }
  // A block is an untimed run on switching, then two timed runs; the arm
  // that ends round one starts round two without a switch.
  EXPECT_EQ(order, (std::vector<size_t>{0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0}));
  ASSERT_TRUE(t.decided());
  EXPECT_EQ(t.chosen(), 1u);
  EXPECT_NE(t.verdict().find("dataflow x2 kept"), std::string::npos) << t.verdict();
}

TEST(ScheduleTuner, RunsAfterASwitchAreNotTimed) {
  ScheduleTuner t(kArms);
  // The first run after switching arms is slow (first use: packing; later:
  // the other arm's state in the caches): it must not count.
  size_t last = 99;
  drive(t, t.trial_length(), [&](size_t a) {
    const bool switched = a != last;
    last = a;
    return switched ? 1000.0 : (a == 2 ? 5.0 : 10.0);
  });
  EXPECT_EQ(t.chosen(), 2u) << t.verdict();
}

TEST(ScheduleTuner, SimplerArmKeptWithinTheMargin) {
  ScheduleTuner t(kArms);
  drive(t, t.trial_length(), [](size_t a) { return a == 0 ? 10.0 : a == 1 ? 9.8 : 30.0; });
  EXPECT_EQ(t.chosen(), 0u) << t.verdict();  // dataflow 2 % faster: within noise
}

TEST(ScheduleTuner, MedianIgnoresOneOutlier) {
  ScheduleTuner t(kArms);
  int run = 0;
  drive(t, t.trial_length(), [&](size_t a) {
    ++run;
    if (a == 0 && run == 2) return 50.0;  // one preempted timed run of the best arm
    return a == 0 ? 5.0 : 10.0;
  });
  EXPECT_EQ(t.chosen(), 0u) << t.verdict();
}

TEST(ScheduleTuner, LoadArrivingSwitchesToFewerThreadsAndLeavingSwitchesBack) {
  ScheduleTuner t(kArms);
  bool busy = false;
  // Quiet: two threads in sequence win. Busy (a process on one core): the
  // team of two waits at barriers, one thread is fastest.
  auto ms = [&](size_t a) {
    if (!busy) return a == 0 ? 10.0 : a == 1 ? 12.0 : 17.0;
    return a == 0 ? 45.0 : a == 1 ? 50.0 : 18.0;
  };
  drive(t, t.trial_length(), ms);
  ASSERT_EQ(t.chosen(), 0u);
  busy = true;
  // The window (8 runs) sees the drift, a trial re-decides.
  drive(t, 8 + t.trial_length(), ms);
  EXPECT_EQ(t.chosen(), 2u) << t.verdict();
  const auto loaded = drive(t, 200, ms);
  EXPECT_GT(loaded[2], 190) << "probes should cost a few runs in 200";
  busy = false;
  // Leaving load does not slow the chosen arm: only a probe finds it.
  drive(t, 600, ms);
  EXPECT_EQ(t.chosen(), 0u) << t.verdict();
}

TEST(ScheduleTuner, SteadyMachinePaysLittleForProbes) {
  ScheduleTuner t(kArms);
  auto ms = [](size_t a) { return a == 0 ? 10.0 : a == 1 ? 12.0 : 20.0; };
  drive(t, t.trial_length(), ms);
  const auto count = drive(t, 2000, ms);
  // Intervals 32, 64, ..., 512: about 8 probes of 2 arms in 2000 runs.
  EXPECT_GE(count[0], 2000 - 20);
  EXPECT_EQ(t.chosen(), 0u);
  EXPECT_EQ(t.trials(), 1);
}

TEST(ScheduleTuner, NearlyEqualArmsDoNotBuyTrialsFromNoise) {
  ScheduleTuner t(kArms);
  // Sequential and dataflow within 1 % of each other, each run +-5 % noise:
  // single probe runs beat the chosen arm's median by 3 % half the time.
  unsigned state = 12345;
  auto noise = [&] {
    state = state * 1103515245u + 12345u;
    return 0.95 + 0.1 * static_cast<double>((state >> 16) & 0x7fff) / 32767.0;
  };
  auto ms = [&](size_t a) { return (a == 0 ? 10.0 : a == 1 ? 10.1 : 16.0) * noise(); };
  drive(t, t.trial_length(), ms);
  drive(t, 2000, ms);
  EXPECT_EQ(t.trials(), 1) << t.verdict();
}

TEST(ScheduleTuner, OneArmNeverTrials) {
  ScheduleTuner t({{ExecutionMode::kDataflow, 2}});
  EXPECT_TRUE(t.decided());
  drive(t, 50, [](size_t) { return 1.0; });
  EXPECT_EQ(t.next(), 0u);
  EXPECT_EQ(t.trials(), 0);
}

}  // namespace
}  // namespace parallax
