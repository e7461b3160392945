#!/bin/sh
# `pip install --no-build-isolation ./python` works: installs the package of
# an existing build into a fresh venv and runs a model from outside the tree.
#   python_pip_install.sh PYTHON BUILD_DIR PYTHON_SRC_DIR RELU_MODEL
set -eu
python=$1 build=$2 src=$3 model=$4
venv="$build/pip-install-check"
rm -rf "$venv"
"$python" -m venv --system-site-packages "$venv"
# The copy keeps pip's in-tree build files (build/, *.egg-info) out of the source tree.
cp -r "$src" "$venv/src"
rm -rf "$venv/src/build" "$venv/src/build-pip" "$venv/src"/*.egg-info
# setup.py finds the repository above its folder only for a fresh CMake build; here it packages $build.
PARALLAX_BUILD_DIR="$build" "$venv/bin/pip" install -q --no-build-isolation --no-index "$venv/src"
cd /
"$venv/bin/python" - "$model" <<'PY'
import sys
import numpy as np
import parallax
assert "pip-install-check" in parallax.__file__, parallax.__file__
s = parallax.InferenceSession(sys.argv[1])
x = np.linspace(-1, 1, 60, dtype=np.float32).reshape(3, 4, 5)
np.testing.assert_array_equal(s.run(None, {"x": x})[0], np.maximum(x, 0))
print("pip-installed parallax", parallax.__version__, "runs from", parallax.__file__)
PY
