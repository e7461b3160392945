#include "runtime/openmp_affinity.h"

#include <omp.h>

namespace parallax {

void pin_openmp_team(const CpuSet& cores, int threads, const void* owner) {
  if (cores.empty()) return;
  thread_local const void* pinned_by = nullptr;
  thread_local int pinned_threads = 0;
  if (pinned_by == owner && pinned_threads >= threads) return;
  (void)pin_this_thread(cores);  // threads the team creates from here on inherit the cores
#pragma omp parallel num_threads(threads)
  { (void)pin_this_thread(cores); }
  pinned_by = owner;
  pinned_threads = threads;
}

}  // namespace parallax
