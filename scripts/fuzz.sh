#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) into build-fuzz/ with clang, ASan and
# UBSan, seeds their corpora (fuzz/make_corpus.sh) and runs each one from its
# working corpus fuzz/corpus/<fuzzer>/ (gitignored; new inputs land there) and
# its committed, minimized seeds fuzz/seeds/<fuzzer>/ (read only here;
# fuzz/minimize_seeds.sh folds the working corpus back into them).
#   scripts/fuzz.sh [SECONDS_PER_FUZZER]     (default: 60)
# Environment: FUZZERS="fuzz_model_load ..." runs a subset; FUZZ_ARGS adds
# libFuzzer flags; FUZZ_RSS_MB sets libFuzzer's rss limit (default 4096);
# FUZZ_REPORT_ONLY=1 prints findings but exits 0 (CI: see scripts/test.sh). Crashes, leaks and timeouts land in build-fuzz/artifacts/
# <fuzzer>/ (reproduce: build-fuzz/fuzz/<fuzzer> FILE); logs in build-fuzz/logs/.
# One process per fuzzer, one fuzzer at a time (-jobs would move the output
# into fuzz-N.log files and compete for the cores). A fuzzer stops at its
# first crash; to collect every crash in one go, run with
#   FUZZ_ARGS="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
# (one worker process at a time, restarted after each crash).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
fuzzers="${FUZZERS:-fuzz_model_load fuzz_run_shapes fuzz_tensor_proto fuzz_capi_model_bytes fuzz_single_op}"
dir=build-fuzz

export CC="${CC:-clang}" CXX="${CXX:-clang++}"
# -O1 with line tables: readable reports at a usable speed. Tests, benches
# and the CLI are not needed here.
# ccache, when there is one, makes a rebuild after a small change quick.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$dir" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_FUZZ="-O1 -gline-tables-only" -DPARALLAX_FUZZ=ON -DPARALLAX_BUILD_TESTS=OFF \
  -DPARALLAX_BUILD_BENCH=OFF
# shellcheck disable=SC2086
cmake --build "$dir" -j2 --target $fuzzers
fuzz/make_corpus.sh

# Leaks count as bugs; allocations over the rss limit are reported, not fatal
# to the machine. OpenMP workers keep per-thread state that LSan would see as
# reachable, so nothing needs suppressing.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
mkdir -p "$dir/logs"
started="$dir/logs/.started"  # findings of this run are the artifacts newer than it
touch "$started"
status=0
for f in $fuzzers; do
  mkdir -p "$dir/artifacts/$f" "fuzz/corpus/$f"
  echo "== $f for ${seconds}s"
  # shellcheck disable=SC2086
  "$dir/fuzz/$f" -max_total_time="$seconds" -rss_limit_mb=${FUZZ_RSS_MB:-4096} -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$f/" ${FUZZ_ARGS:-} "fuzz/corpus/$f" "fuzz/seeds/$f" \
    >"$dir/logs/$f.log" 2>&1 || status=1
done

echo
echo "== summary (logs in $dir/logs/)"
for f in $fuzzers; do
  log="$dir/logs/$f.log"
  echo "-- $f"
  # The last coverage line, libFuzzer's run count and its final stats.
  grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -n 1 || true
  grep -E '^Done [0-9]+ runs' "$log" || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
  grep -E '^(==[0-9]+==ERROR|SUMMARY: |artifact_prefix|.*Test unit written to)' "$log" || true
done
ls -l "$dir"/artifacts/*/ 2>/dev/null | grep -v '^total' || true

# A finding's input printed whole (they are small), so that a run on a machine
# whose files are gone (CI) still hands over the reproducer:
#   base64 -d > crash.onnx, then build-fuzz/fuzz/<fuzzer> crash.onnx
for f in $fuzzers; do
  for a in "$dir/artifacts/$f"/*; do
    [[ -f "$a" && "$a" -nt "$started" ]] || continue
    echo "== finding $a ($(stat -c %s "$a") bytes), base64:"
    head -c 65536 "$a" | base64 -w 0
    echo
    grep -m 1 -E 'runtime error|==[0-9]+==ERROR' "$dir/logs/$f.log" || true
    grep -m 8 -E '^ +#[0-9]+ ' "$dir/logs/$f.log" || true
  done
done
if [[ "$status" != 0 && "${FUZZ_REPORT_ONLY:-0}" == 1 ]]; then
  echo "fuzz: FINDINGS above (FUZZ_REPORT_ONLY=1: reported, exit 0)"
  exit 0
fi
exit "$status"
