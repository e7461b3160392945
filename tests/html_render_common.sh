# Shared set-up of the headless-Chromium render checks (sourced, not run):
#   source tests/html_render_common.sh PARALLAX_BINARY OUT_DIR MODEL...
# Sets $parallax, $out, $model (the first MODEL that exists), $chrome and
# defines fail MESSAGE and render HTML_FILE [FRAGMENT] (the DOM after the
# page's scripts ran, on stdout). Exits 77 (ctest: skipped) without Chromium.
set -u -o pipefail

parallax=$1
out=$2
shift 2

chrome=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chrome ]]; then
  echo "SKIP: chromium is not installed (apt-get install chromium)"
  exit 77
fi

fail() {
  echo "FAIL: $*"
  exit 1
}

model=""
for m in "$@"; do
  if [[ -f $m ]]; then model=$m; break; fi
done
[[ -n $model ]] || fail "none of the models exists: $*"

mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome_args=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
             --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir="$profile")

render() {
  timeout 120 "$chrome" "${chrome_args[@]}" --dump-dom "file://$1${2:-}" 2>/dev/null
}

# screenshot PNG URL WIDTHxHEIGHT: a PNG of the rendered page, or fail.
screenshot() {
  timeout 120 "$chrome" "${chrome_args[@]}" --hide-scrollbars --window-size="${3/x/,}" \
    --screenshot="$1" "$2" > /dev/null 2>&1 || fail "chromium could not take a screenshot"
  [[ -s $1 ]] || fail "no screenshot"
  echo "screenshot: $1"
}

# Debian's python3-onnx lives in the system Python, which may not be first
# on PATH: $python is one that imports onnx, or empty.
python=""
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import onnx' 2> /dev/null; then python=$p; break; fi
done
