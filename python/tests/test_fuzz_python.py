"""CI's share of fuzz/fuzz_python.py: a few thousand seeded hostile calls
into the binding. Longer runs: the script itself (README, fuzzing)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "fuzz"))
import fuzz_python  # noqa: E402


@pytest.mark.parametrize("seed", [1, 2])
def test_hostile_calls_are_refused_or_answered_consistently(seed, capsys):
    if not fuzz_python.model_paths():
        pytest.skip("libonnx-testdata is not installed")
    assert fuzz_python.main(["--runs", "2000", "--seed", str(seed)]) == 0, capsys.readouterr().err
