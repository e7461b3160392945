#!/usr/bin/env bash
# Runs every test: unit tests, ONNX conformance suites (against the
# known-failures lists), and the real models against ONNX Runtime's outputs;
# then each libFuzzer target for FUZZ_SECONDS (default 60; 0 skips them)
# from its committed seeds under ASan and UBSan (scripts/fuzz.sh).
# A regression of a known bug fails the run: ctest replays every committed
# seed and reproducer (fuzz/seeds/, tests/unit/fuzz_regressions/). The 60 s
# of exploration after it go where no input went before, and what they find
# depends on timing (the same commit found nothing in one run and a new bug
# in another), so they report a new finding, with its input in base64, and
# leave the exit status to ctest: a bug that predates a change must not keep
# that change from landing. FUZZ_REPORT_ONLY=0 makes findings fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j2
fuzz_seconds="${FUZZ_SECONDS:-60}"
if [[ "$fuzz_seconds" != 0 ]]; then
  FUZZ_REPORT_ONLY="${FUZZ_REPORT_ONLY:-1}" FUZZ_ARGS="${FUZZ_ARGS:--seed=1}" scripts/fuzz.sh "$fuzz_seconds"
fi
