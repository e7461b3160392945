#!/usr/bin/env bash
# Soak test: builds bench/soak.cc in Release into build-soak/ and runs it:
# N threads share one Session per model for a long time; every output is
# checked against the first run (bit-exact) and the expected output_*.pb
# (1e-4), and RSS growth after warm-up must stay under 5 %.
#   scripts/soak.sh [--models mobilenet_v2,ppocr_det] [--threads 8] [--seconds 600]
#                   [--session-threads 2] [--warmup 60]
# Needs models/ (scripts/setup.sh). Prints a JSON summary; exit 1 on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-soak
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DPARALLAX_BUILD_BENCH=ON
cmake --build "$dir" -j2 --target soak
# Same OpenMP waiting as the parallax tool (README): spin briefly, then sleep.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-active}" GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-30000}"
exec "$dir/bench/soak" --models-dir models "$@"
