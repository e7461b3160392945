// How much of a run the device and the CPU were busy at the same time, from
// the run's timeline (SessionOptions::record_timeline): the figure the
// Parallax method's heterogeneous claim rests on. A device node's span lasts
// until the device was done with it; CPU spans are every other node's.
//
//   DeviceOverlap o = device_overlap(session.last_run_stats());
//   // o.overlap_ms <= min(o.device_busy_ms, o.cpu_busy_ms)
#pragma once

#include "parallax/session.h"

namespace parallax::tools {

struct DeviceOverlap {
  double device_busy_ms = 0;  // union of the device nodes' spans
  double cpu_busy_ms = 0;     // union of the CPU nodes' spans, over all threads
  double overlap_ms = 0;      // time inside both unions
};

DeviceOverlap device_overlap(const RunStatistics& stats);

}  // namespace parallax::tools
