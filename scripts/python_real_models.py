#!/usr/bin/env python3
"""Runs every real model of the suite (models/<name>/model.onnx with
test_data_set_*/, as the real_models ctest finds them) through the Python
package and through the C++ runtime (`parallax run --outputs`), on the same
inputs, threads and mode, and compares the outputs bit for bit. Also reports
the largest difference from ONNX Runtime's reference outputs.

  PYTHONPATH=build/python /usr/bin/python3 scripts/python_real_models.py [--build build] [--threads 2]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_pb(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def count(dir_, prefix):
    return len([f for f in os.listdir(dir_) if f.startswith(prefix) and f.endswith(".pb")])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mode", default="sequential")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    import parallax

    cli = os.path.join(args.build, "parallax")
    cases = sorted(d for d in os.listdir(args.models) if os.path.exists(os.path.join(args.models, d, "model.onnx")))
    equal = 0
    for name in cases:
        model = os.path.join(args.models, name, "model.onnx")
        data = os.path.join(args.models, name, "test_data_set_0")
        opts = parallax.SessionOptions()
        opts.intra_op_num_threads = args.threads
        opts.execution_mode = args.mode
        session = parallax.InferenceSession(model, sess_options=opts)
        feeds = {i.name: read_pb(os.path.join(data, f"input_{k}.pb")) for k, i in enumerate(session.get_inputs())}
        ours = session.run(None, feeds)
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([cli, "run", model, "--inputs", data, "--outputs", out, "--threads", str(args.threads),
                            "--mode", args.mode], check=True, capture_output=True)
            theirs = [read_pb(os.path.join(out, f"output_{i}.pb")) for i in range(count(out, "output_"))]
        ort = [read_pb(os.path.join(data, f"output_{i}.pb")) for i in range(count(data, "output_"))]
        same = len(ours) == len(theirs) and all(
            a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes() for a, b in zip(ours, theirs))
        vs_ort = max((float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0)
                     for a, b in zip(ours, ort) if a.shape == b.shape) if ort else float("nan")
        equal += same
        print(f"{name:34s} outputs {len(ours)}  python == C++ runtime: {'yes' if same else 'NO'}"
              f"   max |python - ORT| {vs_ort:.3g}", flush=True)
    print(f"{equal} of {len(cases)} real models: Python outputs equal the C++ runtime's bit for bit")
    return 0 if equal == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
