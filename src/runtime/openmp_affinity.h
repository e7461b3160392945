// Keeps a session's OpenMP work on its cores (SessionOptions::cpu_cores).
#pragma once

#include "core/cpu_set.h"

namespace parallax {

// Pins the calling thread's OpenMP team of `threads` (this thread and the
// team's other threads) to `cores`. libgomp keeps one team per calling thread
// and reuses its threads, so pinning them once holds until another session
// pins them elsewhere; `owner` names who pinned last (a session), so a
// thread's repeated runs of one session pin only on the first.
void pin_openmp_team(const CpuSet& cores, int threads, const void* owner);

}  // namespace parallax
