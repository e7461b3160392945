#!/usr/bin/env bash
# The aarch64 cross build (scripts/setup.sh --arch arm64 runs this): Debian's
# cross toolchain, qemu-user to run aarch64 programs here, the arm64
# libraries, and a build in build-arm64/ whose tests ctest runs under qemu.
#   scripts/setup_arm64.sh [--build-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=build-arm64
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift ;;
    *) echo "setup_arm64.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo

# Multiarch: these arm64 packages install beside the host's.
APT_PACKAGES=(
  crossbuild-essential-arm64 qemu-user-static cmake pkg-config protobuf-compiler
  libprotobuf-dev:arm64 libgomp1:arm64 libgtest-dev:arm64 libgmock-dev:arm64
  libdnnl2:arm64 libonnx1:arm64 libcli11-dev nlohmann-json3-dev libonnx-testdata
)
updated=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
  updated=1
fi
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup_arm64: installing ${missing[*]}"
  [[ $updated -eq 1 ]] || $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# libdnnl-dev and libonnx-dev (through libonnxifi) cannot be installed for
# two architectures at once: each ships a file whose content differs per
# architecture at the same path (dnnl_config.h, /usr/lib/libonnxifi.so).
# Their arm64 packages, and the libraries they point at, are unpacked into
# an overlay that the toolchain file searches first.
OVERLAY="$PWD/$BUILD_DIR/overlay"
if [[ ! -f "$OVERLAY/usr/include/oneapi/dnnl/dnnl_config.h" ]]; then
  debs=$(mktemp -d)
  chmod 777 "$debs"  # apt-get download drops to the _apt user
  (cd "$debs" && apt-get download -qq libdnnl-dev:arm64 libdnnl2:arm64 libonnx-dev:arm64 libonnx1:arm64 libonnxifi:arm64)
  mkdir -p "$OVERLAY"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$OVERLAY"; done
  rm -rf "$debs"
fi

# No Python package (its interpreter is the host's) and no Google Benchmark
# programs; -march stays at the ARMv8-A baseline every arm64 board runs.
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake -DPX_ARM64_OVERLAY="$OVERLAY" \
  -DPARALLAX_NATIVE=OFF -DPARALLAX_BUILD_PYTHON=OFF -DPARALLAX_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j2
