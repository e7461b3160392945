#!/usr/bin/env bash
# Runs every test: unit tests, ONNX conformance suites (against the
# known-failures lists), and the real models against ONNX Runtime's outputs;
# then each libFuzzer target for FUZZ_SECONDS (default 60; 0 skips them)
# from its committed seeds under ASan and UBSan (scripts/fuzz.sh), so that a
# memory-safety regression fails the run at once. A fixed libFuzzer seed
# makes a failure reproducible with the same command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j2
fuzz_seconds="${FUZZ_SECONDS:-60}"
if [[ "$fuzz_seconds" != 0 ]]; then
  FUZZ_ARGS="${FUZZ_ARGS:--seed=1}" scripts/fuzz.sh "$fuzz_seconds"
fi
