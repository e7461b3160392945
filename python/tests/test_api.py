"""The onnxruntime-shaped API: sessions, NodeArgs, options, providers, stats."""
import warnings

import numpy as np
import pytest

import parallax
from conftest import node_model, suite_model


def test_inputs_and_outputs_read_like_onnxruntime():
    s = parallax.InferenceSession(node_model("test_top_k"))
    assert [(i.name, i.type, i.shape) for i in s.get_inputs()] == [
        ("x", "tensor(float)", [3, 4]),
        ("k", "tensor(int64)", [1]),
    ]
    assert [o.name for o in s.get_outputs()] == ["values", "indices"]
    assert s.get_outputs()[1].type == "tensor(int64)"
    assert s.get_providers() == ["CPUExecutionProvider"]
    assert "CPUExecutionProvider" in parallax.get_available_providers()
    assert parallax.get_device() == "CPU"


def test_symbolic_dims_are_names():
    s = parallax.InferenceSession(suite_model("ppocr_det"))
    shape = s.get_inputs()[0].shape
    assert isinstance(shape[0], str) and shape[1] == 3, shape
    assert parallax.InferenceSession(suite_model("silero_vad_v5")).get_inputs()[0].shape == [None, None]


def test_run_all_and_requested_outputs():
    s = parallax.InferenceSession(node_model("test_top_k"))
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    k = np.array([3], dtype=np.int64)
    values, indices = s.run(None, {"x": x, "k": k})
    np.testing.assert_array_equal(values, [[3, 2, 1], [7, 6, 5], [11, 10, 9]])
    assert indices.dtype == np.int64
    (only,) = s.run(["indices"], {"x": x, "k": k})
    np.testing.assert_array_equal(only, indices)
    assert isinstance(s.run([], {"x": x, "k": k}), list)


def test_bytes_pathlike_and_options():
    import pathlib

    path = node_model("test_relu")
    opts = parallax.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.graph_optimization_level = parallax.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.execution_mode = "sequential"
    opts.memory_budget = 64 << 20
    opts.inter_op_num_threads = 1  # accepted, no meaning here
    x = np.linspace(-1, 1, 60, dtype=np.float32).reshape(3, 4, 5)
    for model in (path, pathlib.Path(path), open(path, "rb").read(), bytearray(open(path, "rb").read())):
        s = parallax.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])
        np.testing.assert_array_equal(s.run(None, {"x": x})[0], np.maximum(x, 0))
    stats = s.last_run_stats()
    assert stats["threads"] >= 1 and stats["mode"] == "sequential" and stats["wall_ms"] > 0
    for key in ("arena_bytes", "note"):
        assert key in stats
    opts.execution_mode = parallax.ExecutionMode.ORT_PARALLEL
    assert opts._open_kwargs()["mode"] == "dataflow"
    with pytest.raises(AttributeError):
        opts.intra_op_num_thread = 2  # misspelt


def test_unknown_provider_warns_like_onnxruntime():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = parallax.InferenceSession(node_model("test_relu"), providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert any("CUDAExecutionProvider" in str(w.message) for w in caught)
    assert s.get_providers() == ["CPUExecutionProvider"]


def test_modelmeta_and_context_manager():
    with parallax.InferenceSession(node_model("test_relu")) as s:
        meta = s.get_modelmeta()
        assert isinstance(meta.producer_name, str)
    assert s.get_inputs()[0].name == "x"  # read when it opened, still there
    with pytest.raises(parallax.InvalidArgument, match="closed"):
        s.run(None, {"x": np.zeros((3, 4, 5), np.float32)})


def test_onnxruntime_style_script_runs_with_only_the_import_changed():
    # Written as for onnxruntime; only the import line differs.
    import parallax as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    sess = ort.InferenceSession(node_model("test_add"), sess_options=so, providers=["CPUExecutionProvider"])
    feeds = {i.name: np.full(i.shape, 2.0, dtype=np.float32) for i in sess.get_inputs()}
    out_names = [o.name for o in sess.get_outputs()]
    result = sess.run(out_names, feeds, run_options=ort.RunOptions())
    assert result[0].shape == (3, 4, 5) and float(result[0].max()) == 4.0
    try:
        sess.run(None, {})
        raise AssertionError("a run without feeds succeeded")
    except RuntimeError as e:  # onnxruntime's errors are RuntimeErrors too (Fail, InvalidArgument)
        assert "missing" in str(e)
