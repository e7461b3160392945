"""Paths for the tests: the ONNX test data and the repository's models/."""
import os

import pytest

TESTDATA = "/usr/share/libonnx-testdata/data"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, "models")


def node_model(name):
    return os.path.join(TESTDATA, "node", name, "model.onnx")


def suite_model(name):
    """A real model of the suite, or skip when setup has not made it."""
    path = os.path.join(MODELS, name + ".onnx")
    if not os.path.exists(path):
        pytest.skip(f"{path} missing (scripts/setup.sh makes it)")
    return path
