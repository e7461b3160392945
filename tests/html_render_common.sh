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
