"""Bad input through the bindings: clear exceptions carrying the runtime's message."""
import numpy as np
import pytest

import parallax
from conftest import node_model


@pytest.fixture
def add():
    return parallax.InferenceSession(node_model("test_add"))


def good():
    return np.ones((3, 4, 5), np.float32)


def test_hierarchy():
    for e in (parallax.InvalidArgument, parallax.InvalidModel, parallax.NotFound, parallax.Unsupported,
              parallax.ResourceExhausted, parallax.Internal):
        assert issubclass(e, parallax.Fail) and issubclass(e, RuntimeError)
    assert parallax.NoSuchFile is parallax.NotFound


def test_wrong_dtype(add):
    with pytest.raises(parallax.InvalidArgument, match="input 'y' must be float32, got float64"):
        add.run(None, {"x": good(), "y": good().astype(np.float64)})
    with pytest.raises(parallax.InvalidArgument, match="numpy dtype complex64"):
        add.run(None, {"x": good(), "y": good().astype(np.complex64)})


def test_wrong_shape(add):
    with pytest.raises(parallax.InvalidArgument, match=r"input 'y' must have shape \[3,4,5\], got \[3,4\]"):
        add.run(None, {"x": good(), "y": np.ones((3, 4), np.float32)})


def test_missing_and_unknown_feeds(add):
    with pytest.raises(parallax.InvalidArgument, match="input 'y' is missing"):
        add.run(None, {"x": good()})
    with pytest.raises(parallax.InvalidArgument, match="no input named 'z'"):
        add.run(None, {"x": good(), "y": good(), "z": good()})
    with pytest.raises(parallax.InvalidArgument, match="keys must be input names"):
        add.run(None, {1: good()})
    with pytest.raises(parallax.NotFound, match="no output named 'nope'"):
        add.run(["nope"], {"x": good(), "y": good()})


def test_closed_session(add):
    add.close()
    with pytest.raises(parallax.InvalidArgument, match="closed"):
        add.run(None, {"x": good(), "y": good()})
    with pytest.raises(parallax.InvalidArgument, match="closed"):
        add.get_modelmeta()
    add.close()  # twice is fine
    del add  # and the object's end after close


def test_bad_models_and_options():
    with pytest.raises(parallax.NotFound, match="/nonexistent.onnx"):
        parallax.InferenceSession("/nonexistent.onnx")
    with pytest.raises(parallax.InvalidModel):
        parallax.InferenceSession(b"\xff\xff garbage")
    data = open(node_model("test_add"), "rb").read()
    with pytest.raises(parallax.InvalidModel):
        parallax.InferenceSession(data[: len(data) // 2])
    with pytest.raises(TypeError):
        parallax.InferenceSession(42)
    opts = parallax.SessionOptions()
    opts.execution_mode = "fastest"
    with pytest.raises(ValueError, match="execution_mode"):
        parallax.InferenceSession(node_model("test_add"), sess_options=opts)
    opts = parallax.SessionOptions()
    opts.accelerator = "tpu"
    with pytest.raises(parallax.Fail, match="tpu"):
        parallax.InferenceSession(node_model("test_add"), sess_options=opts)


def test_inputs_are_views_or_converted(add):
    # Non-contiguous, big-endian and list inputs are converted; results stay right.
    x = np.arange(120, dtype=np.float32).reshape(3, 4, 10)[:, :, ::2]
    y = good().astype(">f4")
    (s,) = add.run(None, {"x": x, "y": y})
    np.testing.assert_array_equal(s, x + 1)
    (s,) = add.run(None, {"x": x.tolist(), "y": good()})
    np.testing.assert_array_equal(s, x + 1)
    ro = good()
    ro.setflags(write=False)
    add.run(None, {"x": ro, "y": ro})


def test_outputs_own_their_memory(add):
    outs = [add.run(None, {"x": good() * i, "y": good()})[0] for i in range(3)]
    for i, o in enumerate(outs):
        assert float(o[0, 0, 0]) == i + 1  # earlier outputs are not overwritten by later runs


def test_max_loop_iterations():
    # test_loop11 iterates 5 times: a limit of 4 stops it, naming the limit.
    feeds = {"trip_count": np.array(5, np.int64), "cond": np.array(True), "y": np.array([-2.0], np.float32)}
    opts = parallax.SessionOptions()
    assert opts.max_loop_iterations == 0
    opts.max_loop_iterations = 4
    sess = parallax.InferenceSession(node_model("test_loop11"), sess_options=opts)
    with pytest.raises(parallax.ResourceExhausted, match="more than 4 iterations.*max_loop_iterations"):
        sess.run(None, feeds)
    opts.max_loop_iterations = 5
    (y, _) = parallax.InferenceSession(node_model("test_loop11"), sess_options=opts).run(None, feeds)
    np.testing.assert_array_equal(y, [13.0])


def test_output_names_that_are_not_names(add):
    feeds = {"x": good(), "y": good()}
    with pytest.raises(parallax.InvalidArgument, match="output_names must be a list of output names \\(str\\), got str"):
        add.run("sum", feeds)
    with pytest.raises(parallax.InvalidArgument, match="output_names must hold output names \\(str\\), got int"):
        add.run([1], feeds)
    with pytest.raises(parallax.InvalidArgument, match="got NoneType"):
        add.run([None], feeds)
