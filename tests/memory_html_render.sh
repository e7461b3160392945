#!/usr/bin/env bash
# Renders `parallax plan --memory --format html` in headless Chromium and
# checks that the browser sees what the page means to draw: two SVG panels
# (dataflow and sequential plans), one <rect> per arena tensor in each
# (the count each panel states in data-values), the dataflow arena size
# of `--memory --format json` in the summary table, and tensor names that
# are markup shown as text.
#
#   tests/memory_html_render.sh PARALLAX_BINARY OUT_DIR MODEL...
#
# The first MODEL that exists is rendered (and screenshotted to
# OUT_DIR/memory.png). Exit 77 (ctest: skipped) when Chromium is not installed.
source "$(dirname "$0")/html_render_common.sh" "$@"

# check_page HTML_FILE: two panels, every stated rect in the DOM; prints the rect count.
check_page() {
  local dom svgs want got
  dom=$(render "$1") || fail "chromium could not render $1"
  svgs=$(grep -o '<svg ' <<< "$dom" | wc -l)
  [[ $svgs -eq 2 ]] || fail "$1: $svgs <svg> elements in the DOM, want 2 (dataflow and sequential)"
  want=0
  for n in $(grep -o 'data-values="[0-9]*"' <<< "$dom" | grep -o '[0-9]*'); do want=$((want + n)); done
  got=$(grep -o '<rect ' <<< "$dom" | wc -l)
  [[ $got -eq $want ]] || fail "$1: $got <rect> elements in the DOM, the panels state $want"
  grep -qi '<img' <<< "$dom" && fail "$1: a tensor name became an <img> element: names are not escaped"
  echo "$want"
}

# --- a real model -----------------------------------------------------------
html=$out/memory.html
"$parallax" plan "$model" --threads 4 --memory --format html > "$html" ||
  fail "parallax plan --memory --format html failed on $model"
if grep -Eiq '<link|<script|src="|https?://|@import' "$html"; then fail "$html refers to external resources or has script"; fi
arena=$("$parallax" plan "$model" --threads 4 --memory --format json | grep -o '"dataflow":{"arena_bytes":[0-9]*' |
        grep -o '[0-9]*$')
[[ -n $arena ]] || fail "no dataflow arena_bytes in the --memory JSON"
grep -q "<td class=\"num\">$arena</td>" "$html" || fail "the summary table lacks the dataflow arena ($arena bytes)"
rects=$(check_page "$html") || { echo "$rects"; exit 1; }
echo "rendered $model: $rects rects in 2 panels, dataflow arena $arena bytes"

screenshot "$out/memory.png" "file://$html" 1440x1250

# --- tensor names that are markup ---------------------------------------------
if [[ -n $python ]]; then
  hostile=$out/hostile.onnx
  "$python" - "$hostile" << 'EOF' || fail "could not write the hostile model"
import sys
import onnx
from onnx import TensorProto, helper as h

bad = '</title></svg><img src=x onerror="document.title=1">&amp;\'"'
nodes = [h.make_node("Relu", ["x"], ["s" + bad])]
for side in ("a", "b"):
    prev = "s" + bad
    for k in range(3):
        nodes.append(h.make_node("Sigmoid", [prev], [side + str(k) + bad]))
        prev = side + str(k) + bad
nodes.append(h.make_node("Add", ["a2" + bad, "b2" + bad], ["y"]))
g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                 [h.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 14)]), sys.argv[1])
EOF
  hhtml=$out/hostile.html
  "$parallax" plan "$hostile" --no-optimize --memory --format html > "$hhtml" || fail "parallax plan failed on the hostile model"
  n=$(check_page "$hhtml") || { echo "$n"; exit 1; }
  [[ $n -eq 14 ]] || fail "hostile model: $n rects, want 7 arena tensors in each of 2 panels"
  echo "hostile names render as text"
else
  echo "note: python3-onnx missing, hostile-name check skipped"
fi
echo PASS
