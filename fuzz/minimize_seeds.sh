#!/usr/bin/env bash
# Folds the working corpora (fuzz/corpus/<fuzzer>/, what scripts/fuzz.sh
# found) into the committed seeds (fuzz/seeds/<fuzzer>/): libFuzzer's -merge
# keeps the smallest set of inputs that reaches the same coverage as both.
#   fuzz/minimize_seeds.sh [FUZZER...]     (default: every target with a build)
# Needs build-fuzz/ from scripts/fuzz.sh. Check the size before committing:
# the seeds are meant to stay a few hundred KB in all.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-fuzz
fuzzers=("$@")
[[ ${#fuzzers[@]} -gt 0 ]] || fuzzers=(fuzz_model_load fuzz_run_shapes fuzz_tensor_proto fuzz_capi_model_bytes fuzz_single_op)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
for f in "${fuzzers[@]}"; do
  [[ -x "$dir/fuzz/$f" ]] || { echo "skip $f: no $dir/fuzz/$f" >&2; continue; }
  merged=$(mktemp -d)
  mkdir -p "fuzz/seeds/$f" "fuzz/corpus/$f"
  nice -n 19 "$dir/fuzz/$f" -merge=1 -rss_limit_mb=4096 -timeout=10 "$merged" "fuzz/seeds/$f" "fuzz/corpus/$f" \
    >"$dir/merge_$f.log" 2>&1
  rm -f "fuzz/seeds/$f"/*
  # Named by content, as libFuzzer names them, so that a re-run changes nothing.
  cp "$merged"/* "fuzz/seeds/$f/"
  rm -rf "$merged"
  echo "$f: $(ls "fuzz/seeds/$f" | wc -l) seeds, $(du -sh --apparent-size "fuzz/seeds/$f" | cut -f1)"
done
