#!/usr/bin/python3
"""Random hostile calls into the Python binding: it may refuse, never crash.

  PYTHONPATH=build/python /usr/bin/python3 fuzz/fuzz_python.py [--runs 20000]
      [--seed 1] [--log build-fuzz/logs/fuzz_python.last] [--max-seconds 0]

libFuzzer cannot drive the binding (Python, numpy and pybind11 sit between
the fuzzer and the runtime), and Debian has no atheris, so this is a seeded
random search over what only the binding does: turning Python objects into
tensors and options, and tensors back into arrays. Every call draws one of:
  model     the bytes of an ONNX node-test model, mutated (bit flips,
            truncation, spliced bytes) or intact, opened from bytes
  feed      an intact model run with its test inputs in other memory
            layouts (negative and gapped strides, Fortran order, big-endian,
            read-only), or with hostile feeds: any numpy dtype (object,
            str, complex, datetime, byte-swapped), 0-d, empty, huge-but-
            broadcast (zero strides), non-contiguous, negative strides,
            read-only, lists, scalars, None, unknown or missing names
  options   SessionOptions fields set to wrong types and out-of-range values
  outputs   output_names that are not strings, unknown, repeated
Allowed outcomes: a result, a parallax.Fail (the runtime's error), or the
TypeError / ValueError / AttributeError / OverflowError / MemoryError that
Python and numpy raise for a wrong argument. A run that accepts feeds must give
the same outputs as one on C-ordered copies of them. Anything else is a finding,
printed with the run number and seed; a crash ends the process, and the last
case (written to --log before each call) says which input did it.
Returns 1 on a finding. The CI subset is python/tests/test_fuzz_python.py.
"""
import argparse
import os
import random
import sys
import time

import numpy as np

import parallax

NODE = "/usr/share/libonnx-testdata/data/node"
ALLOWED = (parallax.Fail, TypeError, ValueError, AttributeError, OverflowError, MemoryError)
# Models small enough to run thousands of times: (name, ONNX node test).
MODELS = ["test_add", "test_matmul_2d", "test_gather_0", "test_concat_2d_axis_0", "test_reshape_reordered_all_dims",
          "test_cast_FLOAT_to_STRING", "test_top_k", "test_slice", "test_where_example", "test_sequence_insert_at_back",
          "test_conv_with_strides_padding",
          "test_castlike_FLOAT_to_FLOAT16_expanded", "test_nonzero_example", "test_expand_dim_changed",
          ]
DTYPES = [np.float32, np.float64, np.float16, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
          np.uint64, np.bool_, np.complex64, np.complex128, np.object_, np.str_, np.bytes_, "datetime64[s]",
          "timedelta64[ms]", ">f4", ">i8", "V4"]


def model_paths():
    paths = [os.path.join(NODE, m, "model.onnx") for m in MODELS]
    return [p for p in paths if os.path.exists(p)]


def mutate(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(4)
        if kind == 0 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and b:
            del b[rng.randrange(len(b)):]
        elif kind == 2:
            i = rng.randrange(len(b) + 1)
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif b:
            i = rng.randrange(len(b))
            b[i] = rng.choice([0, 0x7f, 0x80, 0xff])
    return bytes(b)


def random_shape(rng):
    rank = rng.choice([0, 1, 1, 2, 2, 3, 4, 6])
    return tuple(rng.choice([0, 1, 1, 2, 3, 4, 5, 7]) for _ in range(rank))


def same_values_other_layout(rng, a):
    """`a`'s values in another memory layout or byte order: must be accepted."""
    kind = rng.randrange(6)
    if kind == 0 and a.ndim:
        return np.ascontiguousarray(a[..., ::-1])[..., ::-1]  # negative last stride
    if kind == 1 and a.ndim:
        return np.repeat(a, 2, axis=0)[::2]  # every other row of a bigger array
    if kind == 2:
        return np.asfortranarray(a)
    if kind == 3 and a.ndim > 1:
        return np.ascontiguousarray(np.swapaxes(a, 0, -1)).swapaxes(0, -1)
    if kind == 4 and a.dtype.kind in "fiu" and a.dtype.itemsize > 1:
        return a.astype(a.dtype.newbyteorder(">"))
    b = a.copy()
    b.setflags(write=False)
    return b


def random_array(rng, like):
    """A hostile value for an input shaped and typed like `like` (or not)."""
    kind = rng.randrange(12)
    shape = like.shape if like is not None and rng.random() < 0.6 else random_shape(rng)
    dtype = like.dtype if like is not None and rng.random() < 0.5 else np.dtype(rng.choice(DTYPES))
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([0, 1.5, "x", b"y", [1, 2], [[1], [2, 3]], {"a": 1}, object()])
    if kind == 2:  # huge logical size, one element of memory
        return np.broadcast_to(np.zeros((), np.float32), tuple(rng.choice([1 << 20, 1 << 31, 3]) for _ in range(3)))
    try:
        a = np.zeros(shape, dtype=dtype)
        if a.dtype.kind in "fiub" and a.size:
            a = (np.arange(a.size) % 7 - 3).astype(a.dtype).reshape(shape)
    except (TypeError, ValueError):
        a = np.zeros(shape, np.float32)
    if kind == 3 and a.ndim:
        a = a[..., ::-1]
    elif kind == 4 and a.ndim and a.shape[0] > 1:
        a = a[::2]
    elif kind == 5:
        a = np.asfortranarray(a)
    elif kind == 6:
        a.setflags(write=False)
    elif kind == 7 and a.ndim:
        a = np.swapaxes(a, 0, -1)
    elif kind == 8:
        a = a.tolist()
    return a


def same_values(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(
            same_values(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def reference_feeds(path):
    import onnx  # noqa: PLC0415 (only the feed cases need it)
    from onnx import numpy_helper  # noqa: PLC0415
    d = os.path.join(os.path.dirname(path), "test_data_set_0")
    graph = onnx.load(path).graph
    initializers = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    feeds = {}
    for i, vi in enumerate(inputs):
        with open(os.path.join(d, f"input_{i}.pb"), "rb") as fh:
            data = fh.read()
        if vi.type.HasField("sequence_type"):  # a list of arrays, as onnxruntime takes it
            seq = onnx.SequenceProto()
            seq.ParseFromString(data)
            feeds[vi.name] = [numpy_helper.to_array(x) for x in seq.tensor_values]
        else:
            t = onnx.TensorProto()
            t.ParseFromString(data)
            feeds[vi.name] = numpy_helper.to_array(t)
    return feeds


def random_options(rng):
    o = parallax.SessionOptions()
    fields = ["intra_op_num_threads", "execution_mode", "memory_budget", "accelerator", "max_tensor_bytes",
              "adapt_schedule", "max_loop_iterations", "graph_optimization_level", "no_such_field"]
    values = [-1, 0, 1, 2, 1 << 40, -(1 << 63), 1 << 64, 0.5, float("nan"), "", "dataflow", "sequential", "x" * 300,
              None, True, [], "opencl", "none"]
    for _ in range(rng.randint(1, 3)):
        setattr(o, rng.choice(fields), rng.choice(values))
    return o


def one_case(rng, paths, sessions, feeds_of, log):
    kind = rng.choice(["model", "feed", "feed", "feed", "options", "outputs"])
    path = rng.choice(paths)
    name = os.path.basename(os.path.dirname(path))
    if kind == "model":
        with open(path, "rb") as f:
            data = f.read()
        if rng.random() < 0.9:
            data = mutate(rng, data)
        log(f"model {name} from {len(data)} mutated bytes")
        s = parallax.InferenceSession(data)
        feeds = {i.name: np.zeros([d if isinstance(d, int) else 1 for d in i.shape], np.float32) for i in s.get_inputs()}
        log(f"model {name} mutated, run on zeros")
        s.run(None, feeds)
        return
    if kind == "options":
        log(f"options for {name}")
        s = parallax.InferenceSession(path, sess_options=random_options(rng))
        s.run(None, feeds_of(path))
        return
    if path not in sessions:
        sessions[path] = parallax.InferenceSession(path)
    s = sessions[path]
    feeds = dict(feeds_of(path))
    if kind == "outputs":
        names = [o.name for o in s.get_outputs()]
        out = rng.choice([[], names * 2, ["nope"], [1], [None], "abc", None, names[::-1]])
        log(f"outputs {name} {out!r}")
        s.run(out, feeds)
        return
    keys = list(feeds) or ["x"]
    for _ in range(rng.randint(1, 3)):
        k = rng.choice(keys) if rng.random() < 0.85 else rng.choice(["", "no_such_input", 7])
        action = rng.randrange(4)
        if action == 0 and k in feeds:
            del feeds[k]
        elif isinstance(feeds.get(k), np.ndarray) and rng.random() < 0.5:
            feeds[k] = same_values_other_layout(rng, feeds[k])
        else:
            feeds[k] = random_array(rng, feeds.get(k) if isinstance(feeds.get(k), np.ndarray) else None)
    desc = {k: (type(v).__name__, getattr(v, "dtype", None), getattr(v, "shape", None), getattr(v, "strides", None))
            if isinstance(v, np.ndarray) else repr(v)[:200] for k, v in feeds.items()}
    log(f"feed {name} {desc}")
    got = s.run(None, feeds)
    # Accepted feeds must mean what their values say, whatever their memory
    # layout: the same values as plain C-ordered copies give the same bits.
    plain = {k: np.ascontiguousarray(v) if isinstance(v, np.ndarray) else v for k, v in feeds.items()}
    want = s.run(None, plain)
    for i, (g, w) in enumerate(zip(got, want)):
        if not same_values(g, w):
            raise AssertionError(f"output {i} differs from the run on C-ordered copies of the same feeds")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=0)
    ap.add_argument("--log", default="", help="file that holds the case being run (for a crash)")
    a = ap.parse_args(argv)
    paths = model_paths()
    if not paths:
        print(f"fuzz_python: no models under {NODE} (apt install libonnx-testdata)", file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    cache = {}

    def feeds_of(path):
        if path not in cache:
            cache[path] = reference_feeds(path)
        return cache[path]

    last = [""]

    def log(text):
        last[0] = text
        if a.log:
            with open(a.log, "w") as f:
                f.write(f"seed {a.seed} run {run}: {text}\n")

    sessions, findings, refused, start = {}, 0, 0, time.time()
    run = 0
    for run in range(a.runs):
        if a.max_seconds and time.time() - start > a.max_seconds:
            break
        try:
            one_case(rng, paths, sessions, feeds_of, log)
        except ALLOWED:
            refused += 1
        except Exception as e:  # noqa: BLE001 (any other exception is what this looks for)
            findings += 1
            print(f"FINDING seed {a.seed} run {run}: {type(e).__name__}: {e}\n  case: {last[0]}", file=sys.stderr)
    runs = run + 1
    print(f"fuzz_python: {runs} runs in {time.time() - start:.1f} s, {refused} refused cleanly, {findings} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
