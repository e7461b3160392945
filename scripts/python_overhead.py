#!/usr/bin/env python3
"""What `run` costs from Python beyond the C++ API: the same model, inputs,
threads and mode timed three ways in alternating rounds (medians):
  - Python: a loop over InferenceSession.run (feeds dict in, numpy out);
  - C++ in-process: Session::run in a C++ loop on the same session and the
    same input buffers (the extension's _time_cpp_runs), GIL released;
  - C++ CLI: `parallax bench --json`, a separate process.
Default model: the suite's smallest, silero_vad_v5 (~0.2 ms a run), where a
fixed per-call cost weighs most. Bar (issue 18): at most 5 %.

  /usr/bin/python3 scripts/python_overhead.py [--model NAME] [--threads 1] [--rounds 5] [--runs 200]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from python_real_models import ROOT, read_pb  # scripts/ is on sys.path when run as a script


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--model", default="silero_vad_v5")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mode", default="sequential")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    import parallax  # sets OMP_WAIT_POLICY / GOMP_SPINCOUNT as the CLI does

    model = os.path.join(ROOT, "models", args.model, "model.onnx")
    data = os.path.join(ROOT, "models", args.model, "test_data_set_0")
    opts = parallax.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.execution_mode = args.mode
    session = parallax.InferenceSession(model, sess_options=opts)
    feeds = {i.name: read_pb(os.path.join(data, f"input_{k}.pb")) for k, i in enumerate(session.get_inputs())}

    def python_median():
        for _ in range(args.warmup):
            session.run(None, feeds)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            session.run(None, feeds)
            times.append((time.perf_counter() - t0) * 1e3)
        return statistics.median(times)

    def cpp_median():
        out = subprocess.run([os.path.join(args.build, "parallax"), "bench", model, "--inputs", data, "--threads",
                              str(args.threads), "--mode", args.mode, "--warmup", str(args.warmup), "--runs",
                              str(args.runs), "--json"], check=True, capture_output=True, text=True).stdout
        return json.loads(out)["median_ms"]

    def inprocess_median():
        session._sess._time_cpp_runs(feeds, args.warmup)
        return statistics.median(session._sess._time_cpp_runs(feeds, args.runs))

    py, cpp, cli = [], [], []
    for r in range(args.rounds):
        cli.append(cpp_median())
        cpp.append(inprocess_median())
        py.append(python_median())
        print(f"round {r + 1}: C++ CLI {cli[-1]:.4f} ms   C++ in-process {cpp[-1]:.4f} ms   Python {py[-1]:.4f} ms",
              flush=True)
    c, p, b = statistics.median(cpp), statistics.median(py), statistics.median(cli)
    overhead = (p / c - 1) * 100
    print(f"{args.model}, {args.threads} thread(s), {args.mode}, medians of {args.rounds} round medians of "
          f"{args.runs} runs: C++ in-process {c:.4f} ms, Python {p:.4f} ms: overhead {overhead:+.1f} % "
          f"({(p - c) * 1e3:+.1f} us per run); parallax bench {b:.4f} ms: Python {(p / b - 1) * 100:+.1f} %")
    return 0 if overhead <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
