#!/usr/bin/env bash
# Runs every test: unit tests, ONNX conformance suites (against the
# known-failures lists), and the real models against ONNX Runtime's outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j2
