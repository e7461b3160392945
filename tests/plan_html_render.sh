#!/usr/bin/env bash
# Renders `parallax plan --format html` in headless Chromium and checks that
# the page's script ran: it drew one box per branch, opened the branch named
# in the URL (#b1) with its ops, and a model whose names are markup
# ("</script><img ...>") shows them as text, not as elements.
#
#   tests/plan_html_render.sh PARALLAX_BINARY OUT_DIR MODEL...
#
# The first MODEL that exists is rendered (and screenshotted to
# OUT_DIR/plan.png). Exit 77 (ctest: skipped) when Chromium is not installed.
source "$(dirname "$0")/html_render_common.sh" "$@"

# --- a real model -----------------------------------------------------------
html=$out/plan.html
"$parallax" plan "$model" --threads 4 --format html > "$html" || fail "parallax plan --format html failed on $model"
branches=$("$parallax" plan "$model" --threads 4 | sed -n 's/.* branches \([0-9]*\) .*/\1/p')
[[ -n $branches ]] || fail "no branch count in the text plan"

# Self-contained: nothing fetched from elsewhere.
if grep -Eiq '<link|src="|https?://|@import' "$html"; then fail "$html refers to external resources"; fi

pick=$((branches > 1 ? 1 : 0))
dom=$(render "$html" "#b$pick") || fail "chromium could not render $html"
grep -q "data-px-rendered=\"$branches\"" <<< "$dom" ||
  fail "the page's script did not draw $branches branch boxes ($(grep -o 'data-px-rendered="[0-9]*"' <<< "$dom"))"
grep -q "data-branch=\"$pick\"" <<< "$dom" || fail "#b$pick did not open branch b$pick"
grep -q '<tr class="op">' <<< "$dom" || fail "branch b$pick lists no ops"
echo "rendered $model: $branches branches"

screenshot "$out/plan.png" "file://$html#b$pick" 1400x1000

# --- names that are markup, and a parallel layer -----------------------------
if [[ -n $python ]]; then
  hostile=$out/hostile.onnx
  "$python" - "$hostile" << 'EOF' || fail "could not write the hostile model"
import sys
import onnx
from onnx import TensorProto, helper as h

bad = '</script><img src=x onerror="document.title=1">&amp;\'"'
nodes = [h.make_node("Relu", ["x"], ["s"], name="stem" + bad)]
for side in ("a", "b"):  # two chains of 3 ops each: a parallel layer
    prev = "s"
    for k in range(3):
        nodes.append(h.make_node("Sigmoid", [prev], [side + str(k)], name=bad + side + str(k)))
        prev = side + str(k)
nodes.append(h.make_node("Add", ["a2", "b2"], ["y"], name="merge" + bad))
g = h.make_graph(nodes, "g" + bad, [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                 [h.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 14)]), sys.argv[1])
EOF
  hhtml=$out/hostile.html
  "$parallax" plan "$hostile" --no-optimize --format html > "$hhtml" || fail "parallax plan failed on the hostile model"
  dom=$(render "$hhtml" "#b1") || fail "chromium could not render $hhtml"
  grep -q 'data-px-rendered="4"' <<< "$dom" || fail "hostile model: the script did not draw 4 branches"
  grep -qi '<img' <<< "$dom" && fail "a node name became an <img> element: names are not escaped"
  grep -q '&lt;/script&gt;&lt;img' <<< "$dom" || fail "hostile model: the node names are not shown as text"
  grep -q 'class="layer par"' <<< "$dom" || fail "hostile model: no parallel layer drawn"
  echo "hostile names render as text"
else
  echo "note: python3-onnx missing, hostile-name check skipped"
fi
echo PASS
