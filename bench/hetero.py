#!/usr/bin/python3
"""Heterogeneous execution benchmark (issue #6): per model, in alternating rounds,

  cpu            CPU only, Parallax's default schedule (adaptive dataflow)
  acc-sequential the accelerator takes every node it supports and the graph runs
                 one node after another, CPU fallbacks in between: how TFLite and
                 ONNX Runtime execute a delegated graph
  acc-parallax   the same placement, Parallax's dataflow schedule: device steps end
                 in event callbacks while CPU branches run (--fixed-schedule, so the
                 adaptive trial cannot quietly turn it back into sequential)
  acc-parallax-copies  (only with --configs) acc-parallax with boundary values
                 copied instead of viewed (--opencl-zero-copy off): what
                 zero-copy saves on a device that shares host memory
  acc-parallax-tiled   (only with --configs) acc-parallax with the device GEMMs
                 and convolutions on Parallax's own kernels instead of CLBlast
                 (--opencl-gemm own)

all at the same thread count, with the transfers and dispatches per run that do
not depend on how fast this machine is. Rounds alternate the configurations so
that noise on a shared machine hits all alike; reported: median over rounds of
each round's median latency, the spread (max/min of round medians), the ratio to
acc-sequential, and the accelerator's counters.

  /usr/bin/python3 bench/hetero.py [--models a,b] [--threads 2] [--rounds 2] [--runs 3]
      [--ops FILE|LIST] [--offload all] [--configs a,b] [--split 1:0] [--json-out FILE] [--md-out FILE]

--split DEVICE:CPU splits the machine (docs/opencl.md, "Split machine"): the
OpenCL device (PoCL) gets the cores DEVICE (--device-cores, one compute unit
per core) and every configuration's CPU side the cores CPU (--cpu-cores, one
thread per core), so that device regions and CPU branches run on different
hardware. The accelerator configurations are then also traced, and the table
gives the time device and CPU were busy at once (from the run's timeline).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "build", "parallax")
CONFIGS = {
    "cpu": ["--mode", "dataflow"],
    "acc-sequential": ["--accelerator", "opencl", "--mode", "sequential"],
    "acc-parallax": ["--accelerator", "opencl", "--mode", "dataflow", "--fixed-schedule"],
    "acc-parallax-copies": ["--accelerator", "opencl", "--mode", "dataflow", "--fixed-schedule",
                            "--opencl-zero-copy", "off"],
    "acc-parallax-tiled": ["--accelerator", "opencl", "--mode", "dataflow", "--fixed-schedule",
                           "--opencl-gemm", "own"],
}
DEFAULT_CONFIGS = "cpu,acc-sequential,acc-parallax"


def bench(model, config, args):
    cmd = [CLI, "bench", os.path.join(ROOT, "models", model + ".onnx"), "--threads", str(args.threads),
           "--runs", str(args.runs), "--warmup", str(args.warmup), "--json"] + CONFIGS[config]
    inputs = os.path.join(ROOT, "models", model, "test_data_set_0")
    if os.path.isdir(inputs):
        cmd += ["--inputs", inputs]
    trace = None
    if args.split:
        device_cores, cpu_cores = args.split.split(":")
        cmd += ["--cpu-cores", cpu_cores]
        if config != "cpu":
            trace = os.path.join("/tmp", f"hetero_{os.getpid()}.json")
            cmd += ["--device-cores", device_cores, "--trace", trace]
    if config != "cpu":
        cmd += ["--offload", args.offload]
        if args.ops:
            cmd += ["--accelerator-ops", args.ops]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if trace and os.path.exists(trace):
        os.unlink(trace)  # only its overlap figures are used, and bench --json has them
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {out.stderr.strip()[-400:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="mobilenet_v2,googlenet,yolov8n,whisper_tiny_decoder,distilbert,ssdlite320_mobilenet_v3_large")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--ops", default="", help="--accelerator-ops for the accelerator configurations")
    ap.add_argument("--offload", default="all")
    ap.add_argument("--configs", default=DEFAULT_CONFIGS, help=f"of {','.join(CONFIGS)}")
    ap.add_argument("--split", default="", help="DEVICE_CORES:CPU_CORES, e.g. 1:0")
    ap.add_argument("--json-out")
    ap.add_argument("--md-out")
    args = ap.parse_args()

    results = {}
    for model in args.models.split(","):
        if not os.path.exists(os.path.join(ROOT, "models", model + ".onnx")):
            print(f"{model}: not in models/, skipped", file=sys.stderr)
            continue
        configs = args.configs.split(",")
        rows = {c: {"medians": []} for c in configs}
        for r in range(args.rounds):
            for c in configs:
                try:
                    j = bench(model, c, args)
                except (RuntimeError, ValueError, IndexError, subprocess.TimeoutExpired) as e:
                    rows[c]["error"] = str(e)
                    continue
                rows[c]["medians"].append(j["median_ms"])
                rows[c]["cpu_ms_per_run"] = j.get("cpu_ms_per_run")
                rows[c]["peak_rss_bytes"] = j.get("peak_rss_bytes")
                rows[c]["mode"] = j.get("stats", {}).get("mode")
                if "device_cpu_overlap_ms" in j.get("stats", {}):
                    rows[c].setdefault("overlap_ms", []).append(j["stats"]["device_cpu_overlap_ms"])
                    rows[c].setdefault("device_busy_ms", []).append(j["stats"]["device_busy_ms"])
                if "accelerator" in j and j["accelerator"]:
                    rows[c]["accelerator"] = j["accelerator"]
                print(f"{model} round {r} {c}: {j['median_ms']:.1f} ms", file=sys.stderr, flush=True)
        for c, row in rows.items():
            if row["medians"]:
                row["median_ms"] = statistics.median(row["medians"])
                row["spread"] = max(row["medians"]) / min(row["medians"])
        results[model] = rows

    lines = [f"| model | config | median ms | spread | vs acc-sequential | CPU ms/run | device nodes | dispatches "
             f"| uploads (MB) | downloads (MB) | zero-copy (MB) | CPU fallbacks | device busy ms | overlap ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for model, rows in results.items():
        base = rows.get("acc-sequential", {}).get("median_ms")
        for c, row in rows.items():
            if "median_ms" not in row:
                lines.append(f"| {model} | {c} | error: {row.get('error', '')[:80]} ||||||||||||")
                continue
            a = row.get("accelerator") or {}
            ratio = f"{row['median_ms'] / base:.2f}" if base else ""
            acc = (f"{a['nodes_per_run']:.0f} | {a['dispatches_per_run']:.0f} | {a['uploads_per_run']:.0f} "
                   f"({a['upload_bytes_per_run'] / 1e6:.2f}) | {a['downloads_per_run']:.0f} "
                   f"({a['download_bytes_per_run'] / 1e6:.2f}) | {a.get('zero_copy_per_run', 0):.0f} "
                   f"({a.get('zero_copy_bytes_per_run', 0) / 1e6:.2f}) | {a['cpu_fallbacks_per_run']:.0f}") if a else "|||||"
            busy = f"{statistics.median(row['device_busy_ms']):.1f}" if row.get("device_busy_ms") else ""
            overlap = f"{statistics.median(row['overlap_ms']):.1f}" if row.get("overlap_ms") else ""
            lines.append(f"| {model} | {c} | {row['median_ms']:.1f} | {row['spread']:.2f} | {ratio} | "
                         f"{row.get('cpu_ms_per_run') or 0:.1f} | {acc} | {busy} | {overlap} |")
    table = "\n".join(lines)
    print(table)
    if args.md_out:
        with open(args.md_out, "w") as f:
            f.write(table + "\n")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"threads": args.threads, "split": args.split, "rounds": args.rounds, "runs": args.runs, "ops": args.ops,
                       "offload": args.offload, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
