#!/usr/bin/env python3
"""A/B: two parallax builds and ONNX Runtime on the same zoo models, same run.

  /usr/bin/python3 bench/ab.py --a /path/to/old/parallax [--b build/parallax]
      [--models resnet50,vit_b_32] [--threads 2] [--load quiet,busy]
      [--rounds 3] [--runs 20] [--json out.json]

A change's effect is smaller than the drift of a shared machine between two
separate zoo.py runs, so the three run one after the other in every round,
the order rotating between rounds (A B ORT, B ORT A, ORT A B), on the inputs
zoo.py makes (models/zoo/<name>/test_data_set_0). Reported per model and
load: the median over rounds of each run's median latency, B/A and B/ORT
(< 1: B faster), and their geometric means.
"""
import argparse
import json
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo  # noqa: E402  (bench_cmd, run_bench, ensure_inputs, BusyLoad)


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="the baseline parallax binary")
    ap.add_argument("--b", default=os.path.join(zoo.ROOT, "build", "parallax"), help="the changed parallax binary")
    ap.add_argument("--models", default="", help="comma-separated zoo models (default: every one exported)")
    ap.add_argument("--zoo", default=os.path.join(zoo.ROOT, "models", "zoo"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--load", default="quiet", help="quiet and/or busy (one core spinning)")
    ap.add_argument("--busy-core", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--json", help="write every measurement here")
    args = ap.parse_args()

    manifest = zoo.load_manifest()
    names = zoo.csv(args.models) or [n for n in manifest if os.path.exists(os.path.join(args.zoo, n + ".onnx"))]
    runners = {"A": ("parallax", args.a), "B": ("parallax", args.b), "ORT": ("ort", None)}
    rotations = [["A", "B", "ORT"], ["B", "ORT", "A"], ["ORT", "A", "B"]]
    results = {}
    for load in zoo.csv(args.load):
        with zoo.BusyLoad(args.busy_core, load == "busy"):
            for name in names:
                d = zoo.ensure_inputs(args, name, manifest[name])
                model = os.path.join(args.zoo, name + ".onnx")
                medians = {k: [] for k in runners}
                for r in range(args.rounds):
                    for key in rotations[r % 3]:
                        runtime, binary = runners[key]
                        args.parallax = binary or args.b
                        cmd = zoo.bench_cmd(args, runtime, model, d, args.threads)
                        try:
                            rec, _ = zoo.run_bench(cmd)
                            medians[key].append(rec["median_ms"])
                        except RuntimeError as e:
                            print(f"ab: {name} {key}: {e}", file=sys.stderr)
                m = {k: statistics.median(v) if v else None for k, v in medians.items()}
                results.setdefault(load, {})[name] = {"median_ms": m, "rounds": medians}
                ba = m["B"] / m["A"] if m["A"] and m["B"] else None
                bo = m["B"] / m["ORT"] if m["ORT"] and m["B"] else None
                print(f"{load:5s} {name:24s} A {m['A'] or float('nan'):8.2f}  B {m['B'] or float('nan'):8.2f}  "
                      f"ORT {m['ORT'] or float('nan'):8.2f} ms   B/A {ba or float('nan'):.3f}  "
                      f"B/ORT {bo or float('nan'):.3f}", flush=True)
        rows = results.get(load, {}).values()
        print(f"{load:5s} geomean  B/A {geomean([r['median_ms']['B'] / r['median_ms']['A'] for r in rows if r['median_ms']['A'] and r['median_ms']['B']]):.3f}"
              f"  B/ORT {geomean([r['median_ms']['B'] / r['median_ms']['ORT'] for r in rows if r['median_ms']['ORT'] and r['median_ms']['B']]):.3f}"
              f"  A/ORT {geomean([r['median_ms']['A'] / r['median_ms']['ORT'] for r in rows if r['median_ms']['ORT'] and r['median_ms']['A']]):.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "rounds": args.rounds, "runs": args.runs, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
