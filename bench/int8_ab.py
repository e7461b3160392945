#!/usr/bin/env python3
"""int8 against fp32 on Parallax, and against ONNX Runtime on the same int8 file.

  /usr/bin/python3 bench/int8_ab.py [--models distilbert,whisper_tiny_encoder]
      [--dir build/int8] [--threads 2] [--rounds 3] [--runs 10] [--json out.json]
      [--parallax build/parallax]

A model may name its variant, distilbert:qdq or distilbert:dyn (default:
the one VARIANTS gives it). --parallax points at another build's binary
(an A/B of two builds on the same int8 files).

The int8 files are scripts/make_int8_models.py's (DIR/<model>_dyn.onnx or
_qdq.onnx), the fp32 ones models/<model>.onnx, the inputs
models/<model>/test_data_set_0. In every round the three runs (Parallax fp32,
Parallax int8, ORT int8) go one after the other, the order rotating between
rounds, so machine drift hits them alike. Reported: the median over rounds of
each run's median latency, int8/fp32 and int8/ORT (< 1: int8 on Parallax is
faster), their geometric means (each tool warms up by its own default:
Parallax's covers its adaptive schedule's first trial, which would
otherwise land in the counted runs), the same for the fastest run (on a loaded
machine the minimum shows what a kernel can do, the median what waiting
for descheduled threads costs), and Parallax's peak RSS and resident weight
bytes for both files.
"""
import argparse
import json
import math
import os
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VARIANTS = {"distilbert": "dyn", "whisper_tiny_encoder": "dyn", "whisper_tiny_decoder": "dyn",
            "resnet18": "qdq", "mobilenet_v2": "qdq"}


def model_path(name, base):
    d = os.path.join(ROOT, "models", name, "model.onnx")
    return d if os.path.exists(d) else os.path.join(ROOT, "models", name + ".onnx")


def run_px(model, inputs, a):
    out = subprocess.run([a.parallax, "bench", model, "--inputs", inputs, "--threads",
                          str(a.threads), "--runs", str(a.runs), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def run_ort(model, inputs, a):
    out = subprocess.run(["node", os.path.join(ROOT, "reference", "ort_bench.js"), model, "--inputs", inputs,
                          "--threads", str(a.threads), "--runs", str(a.runs), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="distilbert,whisper_tiny_encoder,whisper_tiny_decoder")
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "int8"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json")
    ap.add_argument("--parallax", default=os.path.join(ROOT, "build", "parallax"))
    a = ap.parse_args()
    rows = []
    for spec in a.models.split(","):
        name, _, variant = spec.partition(":")
        fp32 = model_path(name, name)
        int8 = os.path.join(a.dir, f"{name}_{variant or VARIANTS[name]}.onnx")
        inputs = os.path.join(ROOT, "models", name, "test_data_set_0")
        runs = {"px_fp32": [], "px_int8": [], "ort_int8": []}
        mins = {k: [] for k in runs}
        mem = {}
        jobs = [("px_fp32", lambda: run_px(fp32, inputs, a)), ("px_int8", lambda: run_px(int8, inputs, a)),
                ("ort_int8", lambda: run_ort(int8, inputs, a))]
        for r in range(a.rounds):
            for key, fn in jobs[r % 3:] + jobs[:r % 3]:
                res = fn()
                runs[key].append(res["median_ms"])
                mins[key].append(res["min_ms"])
                if key.startswith("px"):
                    mem[key] = (res.get("peak_rss_bytes", 0), res.get("resident_weight_bytes", 0))
        med = {k: statistics.median(v) for k, v in runs.items()}
        low = {k: min(v) for k, v in mins.items()}
        row = {"model": spec, **{k + "_ms": v for k, v in med.items()},
               "int8_over_fp32": med["px_int8"] / med["px_fp32"], "int8_over_ort": med["px_int8"] / med["ort_int8"],
               **{k + "_min_ms": v for k, v in low.items()},
               "min_int8_over_fp32": low["px_int8"] / low["px_fp32"], "min_int8_over_ort": low["px_int8"] / low["ort_int8"],
               "rss_fp32": mem["px_fp32"][0], "rss_int8": mem["px_int8"][0],
               "weights_fp32": mem["px_fp32"][1], "weights_int8": mem["px_int8"][1]}
        rows.append(row)
        print(f"{spec:24s} fp32 {med['px_fp32']:8.1f} ms  int8 {med['px_int8']:8.1f} ms  ORT int8 {med['ort_int8']:8.1f} ms"
              f"  int8/fp32 {row['int8_over_fp32']:.2f}  int8/ORT {row['int8_over_ort']:.2f}"
              f"  RSS {row['rss_fp32'] / 2**20:.0f}->{row['rss_int8'] / 2**20:.0f} MiB"
              f"  weights {row['weights_fp32'] / 2**20:.0f}->{row['weights_int8'] / 2**20:.0f} MiB"
              f"  | min: fp32 {low['px_fp32']:.1f} int8 {low['px_int8']:.1f} ORT {low['ort_int8']:.1f}"
              f" int8/fp32 {row['min_int8_over_fp32']:.2f} int8/ORT {row['min_int8_over_ort']:.2f}", flush=True)
    print(f"geomean int8/fp32 {geomean([r['int8_over_fp32'] for r in rows]):.2f}"
          f"  int8/ORT {geomean([r['int8_over_ort'] for r in rows]):.2f}"
          f"  | of minima: int8/fp32 {geomean([r['min_int8_over_fp32'] for r in rows]):.2f}"
          f"  int8/ORT {geomean([r['min_int8_over_ort'] for r in rows]):.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
