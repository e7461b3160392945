"""Outputs through Python equal the C++ runtime's (the CLI), bit for bit, and
one session runs from two Python threads at once."""
import os
import subprocess
import tempfile
import threading

import numpy as np
import pytest
from onnx import numpy_helper, TensorProto

import parallax
from conftest import MODELS, ROOT, suite_model

CLI = os.environ.get("PARALLAX_CLI", os.path.join(ROOT, "build", "parallax"))


def read_pb(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def cli_outputs(model, inputs_dir, threads):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([CLI, "run", model, "--inputs", inputs_dir, "--outputs", out, "--threads", str(threads),
                        "--mode", "sequential"], check=True, capture_output=True)
        n = len([f for f in os.listdir(out) if f.startswith("output_")])
        return [read_pb(os.path.join(out, f"output_{i}.pb")) for i in range(n)]


@pytest.mark.parametrize("name", ["mobilenet_v2", "silero_vad_v5"])
def test_equal_to_cli(name):
    model = suite_model(name)
    if not os.path.exists(CLI):
        pytest.skip(f"{CLI} not built")
    data = os.path.join(MODELS, name, "test_data_set_0")
    opts = parallax.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.execution_mode = "sequential"
    s = parallax.InferenceSession(model, sess_options=opts)
    feeds = {i.name: read_pb(os.path.join(data, f"input_{k}.pb")) for k, i in enumerate(s.get_inputs())}
    ours = s.run(None, feeds)
    theirs = cli_outputs(model, data, 2)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()


def test_two_threads_one_session():
    s = parallax.InferenceSession(suite_model("mobilenet_v2"))
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((1, 3, 224, 224), dtype=np.float32) for _ in range(2)]
    expected = [s.run(None, {"input": x})[0] for x in xs]
    errors = []

    def worker(i):
        try:
            for _ in range(4):
                (y,) = s.run(None, {"input": xs[i]})
                np.testing.assert_allclose(y, expected[i], rtol=1e-4, atol=1e-4)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert s.last_run_stats()["wall_ms"] > 0
