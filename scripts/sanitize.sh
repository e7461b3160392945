#!/usr/bin/env bash
# Builds with a sanitizer and runs the whole test suite (ctest) under it.
#   scripts/sanitize.sh [address|thread]   (default: address)
# address: AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer, in build-asan/.
# thread:  ThreadSanitizer, in build-tsan/. The OpenMP runtime is not built
#          with TSan, so its barriers look like races: OpenMP runs with one
#          thread where it can (OMP_NUM_THREADS=1) and reports from inside it
#          are suppressed (scripts/tsan.supp); Parallax's own threads are checked.
# Extra arguments go to ctest (e.g. -R conformance_node).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-address}"
shift || true
case "$kind" in
  address) dir=build-asan ;;
  thread) dir=build-tsan ;;
  *) echo "usage: $0 [address|thread] [ctest args...]" >&2; exit 2 ;;
esac
export CC="${CC:-clang-14}" CXX="${CXX:-clang++-14}"
# -O1 with line tables: readable stack traces, and about half the build time of -O2 -g.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_C_FLAGS_SANITIZE="-O1 -gline-tables-only -DNDEBUG" -DPARALLAX_SANITIZE="$kind"
cmake --build "$dir" -j2
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp}"
if [[ "$kind" == thread ]]; then export OMP_NUM_THREADS=1; fi
ctest --test-dir "$dir" --output-on-failure -j2 "$@"
