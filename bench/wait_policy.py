#!/usr/bin/python3
"""How libgomp's waiting policy changes Parallax's latency, quiet and under load.

  /usr/bin/python3 bench/wait_policy.py [--models resnet18,swin_v2_t] [--threads 2]
      [--load quiet,one,two] [--rounds 3] [--runs 20] [--json out.json]

oneDNN and Parallax's kernels run on libgomp's OpenMP pool, which reads its
waiting policy from the environment once, when it is loaded. This measures,
on the suite models (models/<name>.onnx with models/<name>/test_data_set_0),
`parallax bench` under each policy ("arm"):
  library-default  what a program that links libparallax gets when it sets
                   nothing (GOMP_SPINCOUNT=300000 is libgomp's own default;
                   it is set only to stop the CLI choosing for itself)
  cli              OMP_WAIT_POLICY=active GOMP_SPINCOUNT=30000 (what the CLI
                   and the Python package set when the user set nothing)
  passive          OMP_WAIT_POLICY=passive
and ONNX Runtime (reference/ort_bench.js, same threads) as the yardstick,
under three loads: quiet, one (a process spinning on core 1) and two (one
spinning on each of cores 0 and 1, as a build beside the model would).
In every round the arms run one after the other, the order rotating.
Reported: the median over rounds of each run's median latency, per model,
load and arm, and each arm's ratio to ORT under the same load.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo  # noqa: E402  (BusyLoad, ROOT)

ARMS = {
    "library-default": {"GOMP_SPINCOUNT": "300000"},
    "cli": {"OMP_WAIT_POLICY": "active", "GOMP_SPINCOUNT": "30000"},
    "passive": {"OMP_WAIT_POLICY": "passive"},
}
LOADS = {"quiet": [], "one": [1], "two": [0, 1]}


def median_ms(cmd, env):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    last = [line for line in out.splitlines() if line.startswith("{")][-1]
    return json.loads(last)["median_ms"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="resnet18,mobilenet_v2,googlenet,distilbert,yolov8n,swin_v2_t")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--load", default="quiet,one,two")
    ap.add_argument("--arms", default=",".join(ARMS) + ",ort")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--parallax", default=os.path.join(zoo.ROOT, "build", "parallax"))
    ap.add_argument("--json")
    a = ap.parse_args()
    base_env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    arms = a.arms.split(",")
    results = []
    for load in a.load.split(","):
        for name in a.models.split(","):
            model = os.path.join(zoo.ROOT, "models", name + ".onnx")
            inputs = os.path.join(zoo.ROOT, "models", name, "test_data_set_0")
            common = ["--inputs", inputs, "--threads", str(a.threads), "--runs", str(a.runs), "--json"]
            times = {arm: [] for arm in arms}
            loads = [zoo.BusyLoad(core, True) for core in LOADS[load]]
            for b in loads:
                b.__enter__()
            try:
                for r in range(a.rounds):
                    order = arms[r % len(arms):] + arms[:r % len(arms)]
                    for arm in order:
                        if arm == "ort":
                            times[arm].append(median_ms(["node", zoo.ORT_BENCH, model] + common, base_env))
                        else:
                            times[arm].append(median_ms([a.parallax, "bench", model] + common,
                                                        {**base_env, **ARMS[arm]}))
            finally:
                for b in loads:
                    b.__exit__(None, None, None)
            med = {arm: statistics.median(v) for arm, v in times.items()}
            row = {"model": name, "load": load, "threads": a.threads, "median_ms": med, "rounds": times}
            results.append(row)
            ort = med.get("ort")
            cells = "  ".join(f"{arm} {m:8.2f}" + (f" ({m / ort:.2f}x)" if ort and arm != "ort" else "")
                              for arm, m in med.items())
            print(f"{load:6s} {name:22s} {cells}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
