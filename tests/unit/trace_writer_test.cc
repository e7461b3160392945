// The `parallax` tool's trace writer (Chrome-trace / Perfetto JSON) and its
// shared flag parsing, on synthetic run statistics: no model runs.
#include "tools/trace_writer.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tools/tool_util.h"

namespace parallax::tools {
namespace {

using nlohmann::json;

// Two threads: the caller runs branch 0 (two ops) then branch 1; worker 1
// runs branch 2 meanwhile, and a branch-less op at the end.
RunStatistics two_thread_run() {
  RunStatistics s;
  s.mode = ExecutionMode::kDataflow;
  s.wall_ms = 0.040;  // 40 us
  s.nodes_run = 6;
  s.arena_bytes = 4096;
  s.sequential_arena_bytes = 3072;
  s.peak_live_bytes = 2048;
  s.max_concurrency = 2;
  s.concurrent_branches = {{0, 2}, {1, 2}};
  s.thread_busy_ms = {0.025, 0.030};
  s.timeline = {
      {"conv_a", "Conv", 0, 0, 1, 0, 10, ""},  {"relu_a", "Relu", 0, 0, 1, 10, 20, ""},
      {"conv_c", "Conv", 1, 0, 1, 25, 30, ""}, {"conv_d", "Conv", 2, 1, 1, 5, 15, ""},
      {"add_e", "Add", 2, 1, 1, 15, 28, ""},   {"concat", "Concat", -1, 1, 2, 30, 38, ""},
  };
  return s;
}

std::vector<json> events_where(const json& trace, const std::string& ph, const std::string& cat = "") {
  std::vector<json> out;
  for (const json& e : trace.at("traceEvents"))
    if (e.at("ph") == ph && (cat.empty() || e.value("cat", "") == cat)) out.push_back(e);
  return out;
}

bool encloses(const json& outer, const json& inner) {
  double os = outer.at("ts").get<double>(), oe = os + outer.at("dur").get<double>();
  double is = inner.at("ts").get<double>(), ie = is + inner.at("dur").get<double>();
  return outer.at("tid") == inner.at("tid") && os <= is && ie <= oe;
}

TEST(TraceWriter, TracksMetadataAndCounters) {
  json trace = make_trace({TracedRun{two_thread_run(), 1000, 0}});
  ASSERT_TRUE(trace.at("traceEvents").is_array());
  std::map<int, std::string> names;
  bool process_named = false;
  for (const json& m : events_where(trace, "M")) {
    if (m.at("name") == "process_name") process_named = m.at("args").at("name") == "parallax";
    if (m.at("name") == "thread_name") names[m.at("tid").get<int>()] = m.at("args").at("name").get<std::string>();
  }
  EXPECT_TRUE(process_named);
  EXPECT_EQ(names, (std::map<int, std::string>{{0, "thread 0 (caller)"}, {1, "worker 1"}}));

  auto counters = events_where(trace, "C");
  ASSERT_EQ(counters.size(), 2u);
  for (const json& c : counters) {
    EXPECT_DOUBLE_EQ(c.at("ts").get<double>(), 1000);
    if (c.at("name") == "arena") {
      EXPECT_EQ(c.at("args").at("planned"), 4096);
      EXPECT_EQ(c.at("args").at("sequential"), 3072);
    } else {
      EXPECT_EQ(c.at("name"), "peak live");
      EXPECT_EQ(c.at("args").at("bytes"), 2048);
    }
  }
}

TEST(TraceWriter, OpSlicesAreShiftedByTheRunStart) {
  json trace = make_trace({TracedRun{two_thread_run(), 1000, 0}});
  auto ops = events_where(trace, "X", "op");
  ASSERT_EQ(ops.size(), 6u);
  for (const json& op : ops) {
    const std::string node = op.at("args").at("node");
    for (const NodeSpan& span : two_thread_run().timeline) {
      if (span.node != node) continue;
      EXPECT_EQ(op.at("name"), span.op);
      EXPECT_EQ(op.at("tid"), span.thread);
      EXPECT_EQ(op.at("args").at("branch"), span.branch);
      EXPECT_EQ(op.at("args").at("threads"), span.threads);
      EXPECT_DOUBLE_EQ(op.at("ts").get<double>(), 1000 + span.start_us);
      EXPECT_DOUBLE_EQ(op.at("dur").get<double>(), span.end_us - span.start_us);
    }
  }
}

TEST(TraceWriter, BranchSlicesEncloseTheirOpsAndRunSliceEnclosesTheCallerTrack) {
  json trace = make_trace({TracedRun{two_thread_run(), 1000, 0}});
  auto branches = events_where(trace, "X", "branch");
  // Caller: branch 0 (conv_a, relu_a), branch 1 (conv_c); worker 1: branch 2.
  ASSERT_EQ(branches.size(), 3u);
  std::map<int, std::pair<double, double>> extent;
  for (const json& b : branches)
    extent[b.at("args").at("branch").get<int>()] = {b.at("ts").get<double>(), b.at("dur").get<double>()};
  EXPECT_EQ(extent[0], std::make_pair(1000.0, 20.0));
  EXPECT_EQ(extent[1], std::make_pair(1025.0, 5.0));
  EXPECT_EQ(extent[2], std::make_pair(1005.0, 23.0));

  for (const json& op : events_where(trace, "X", "op")) {
    int branch = op.at("args").at("branch");
    int enclosing = 0;
    for (const json& b : branches)
      if (encloses(b, op)) {
        EXPECT_EQ(b.at("args").at("branch"), branch);
        ++enclosing;
      }
    EXPECT_EQ(enclosing, branch >= 0 ? 1 : 0) << op.dump();
  }

  auto runs = events_where(trace, "X", "run");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].at("tid"), 0);
  EXPECT_DOUBLE_EQ(runs[0].at("ts").get<double>(), 1000);
  EXPECT_DOUBLE_EQ(runs[0].at("dur").get<double>(), 40);
  EXPECT_EQ(runs[0].at("args").at("mode"), "dataflow");
  for (const json& e : trace.at("traceEvents")) {
    if (e.at("ph") == "X" && e.at("tid") == 0) {
      EXPECT_TRUE(encloses(runs[0], e)) << e.dump();
    }
  }
}

TEST(TraceWriter, EnclosingSlicesComeFirstAndTimesNeverGoBack) {
  json trace = make_trace({TracedRun{two_thread_run(), 0, 0}});
  double last = -1;
  std::vector<std::string> at_zero;
  for (const json& e : trace.at("traceEvents")) {
    if (e.at("ph") == "M") continue;
    double ts = e.at("ts").get<double>();
    EXPECT_GE(ts, last);
    last = ts;
    if (ts == 0 && e.at("ph") == "X") at_zero.push_back(e.at("cat").get<std::string>());
  }
  EXPECT_EQ(at_zero, (std::vector<std::string>{"run", "branch", "op"}));
}

TEST(TraceWriter, EmptyTimelineStillGivesRunSliceAndCounters) {
  RunStatistics s;  // what a runtime without timelines fills in: arena bytes only
  s.arena_bytes = 1 << 20;
  json trace = make_trace({TracedRun{s, 0, 2.5}});
  auto runs = events_where(trace, "X", "run");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_DOUBLE_EQ(runs[0].at("dur").get<double>(), 2500);  // the caller's measured time
  EXPECT_EQ(events_where(trace, "X").size(), 1u);
  EXPECT_EQ(events_where(trace, "C").size(), 2u);
  // Only the caller's track is named.
  int thread_names = 0;
  for (const json& m : events_where(trace, "M")) thread_names += m.at("name") == "thread_name";
  EXPECT_EQ(thread_names, 1);
  // It survives a round trip through text.
  EXPECT_EQ(json::parse(trace.dump()), trace);
}

TEST(TraceWriter, DeviceNodesGetTheirOwnTrack) {
  RunStatistics s = two_thread_run();
  s.timeline.push_back({"conv_gpu", "Conv", 3, 0, 1, 2, 40, "opencl"});  // enqueued by thread 0, done at 40 us
  json trace = make_trace({TracedRun{s, 0, 0}});
  int device_tid = -1;
  for (const json& m : events_where(trace, "M"))
    if (m.at("name") == "thread_name" && m.at("args").at("name") == "opencl device") device_tid = m.at("tid");
  ASSERT_GE(device_tid, 2) << "no device track, or it clashes with a thread's";
  int on_device = 0;
  for (const json& op : events_where(trace, "X", "op")) {
    const bool is_gpu = op.at("args").at("node") == "conv_gpu";
    EXPECT_EQ(op.at("tid") == device_tid, is_gpu) << op.dump();
    if (is_gpu) {
      ++on_device;
      EXPECT_EQ(op.at("dur").get<double>(), 38.0);
    }
  }
  EXPECT_EQ(on_device, 1);
}

TEST(TraceWriter, BackToBackRunsDoNotOverlap) {
  auto runs = back_to_back({two_thread_run(), two_thread_run(), two_thread_run()});
  ASSERT_EQ(runs.size(), 3u);
  json trace = make_trace(runs);
  auto run_slices = events_where(trace, "X", "run");
  ASSERT_EQ(run_slices.size(), 3u);
  for (size_t i = 1; i < run_slices.size(); ++i) {
    double prev_end = run_slices[i - 1].at("ts").get<double>() + run_slices[i - 1].at("dur").get<double>();
    EXPECT_GT(run_slices[i].at("ts").get<double>(), prev_end);
    EXPECT_EQ(run_slices[i].at("args").at("run"), i);
  }
  EXPECT_EQ(events_where(trace, "X", "op").size(), 18u);
}

TEST(ToolFlags, ParseByteSize) {
  EXPECT_EQ(parse_byte_size("0").value(), 0u);
  EXPECT_EQ(parse_byte_size("1234").value(), 1234u);
  EXPECT_EQ(parse_byte_size("512K").value(), 512u << 10);
  EXPECT_EQ(parse_byte_size("64m").value(), size_t{64} << 20);
  EXPECT_EQ(parse_byte_size("2G").value(), size_t{2} << 30);
  EXPECT_EQ(parse_byte_size("2GiB").value(), size_t{2} << 30);
  EXPECT_EQ(parse_byte_size("100B").value(), 100u);
  for (const char* bad : {"", "M", "-1", "1.5G", "12X", "3 M", "99999999999999999999", "17179869184G"})
    EXPECT_FALSE(parse_byte_size(bad).is_ok()) << bad;
}

TEST(ToolFlags, ApplyScheduleFlags) {
  SessionOptions options;
  ScheduleFlags flags;
  flags.mode = "layer";
  flags.memory_budget = "8M";
  ASSERT_TRUE(apply_schedule_flags(flags, options).is_ok());
  EXPECT_EQ(options.mode, ExecutionMode::kLayer);
  EXPECT_EQ(options.memory_budget, size_t{8} << 20);
  EXPECT_FALSE(options.record_timeline);
  flags.mode = "fastest";
  EXPECT_FALSE(apply_schedule_flags(flags, options).is_ok());
}

TEST(ToolFlags, StatsJsonHasNoTimeline) {
  json j = run_stats_json(two_thread_run());
  EXPECT_FALSE(j.contains("timeline"));
  EXPECT_EQ(j.at("max_concurrency"), 2);
  EXPECT_EQ(j.at("concurrent_branches"), json::parse("[[0,2],[1,2]]"));
  EXPECT_EQ(j.at("thread_busy_ms").size(), 2u);
  EXPECT_NE(describe_run_stats(two_thread_run(), 0.05).find("max concurrency 2"), std::string::npos);
}

}  // namespace
}  // namespace parallax::tools
