#!/usr/bin/python3
"""Parallax's execution modes against ONNX Runtime 1.30, same machine, same run.

Per model, every configuration runs once per round, in turn (parallax
sequential / layer / dataflow at the given thread counts, ORT sequential at
intra-op 1 and 2 and ORT's parallel executor), ROUNDS rounds, so that noise
from a shared machine hits all alike. Reported per configuration: the median
over rounds of each round's median latency and p90, CPU time per inference,
peak RSS; the reference is ORT's best configuration, and every row has its
ratio to it. The spread (max/min of round medians) is shown, and a pair whose
ratio is within the two spreads is marked "~" (within noise). A config whose
spread is above --rerun-spread gets up to two more rounds.

  /usr/bin/python3 bench/compare_ort.py [--models a,b] [--px sequential:1,dataflow:2]
      [--ort sequential:1,sequential:2,parallel:2] [--rounds 3] [--runs 20] [--out FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELS = ["googlenet", "inception_v3", "ppocr_det", "ssdlite320_mobilenet_v3_large", "swin_v2_t",
                  "mobilenet_v2", "resnet18"]
DEFAULT_PX = "sequential:1,sequential:2,layer:2,dataflow-fixed:2,dataflow:2"
DEFAULT_ORT = "sequential:1,sequential:2,parallel:2"


# A failed run, a timeout, or output that is not one JSON line: the configuration is marked "error".
BENCH_ERRORS = (RuntimeError, ValueError, IndexError, OSError, subprocess.TimeoutExpired)


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def configs(spec, runtime):
    out = []
    for item in spec.split(","):
        if not item or item == "none":  # "--ort none": parallax only
            continue
        mode, threads = item.split(":")
        out.append({"runtime": runtime, "mode": mode, "threads": int(threads), "name": f"{runtime} {mode} x{threads}"})
    return out


def command(cfg, args, path, inputs):
    common = ["--threads", str(cfg["threads"]), "--warmup", str(args.warmup), "--runs", str(args.runs), "--json"]
    if os.path.isdir(inputs):
        common += ["--inputs", inputs]
    if cfg["runtime"] == "parallax":
        # "dataflow-fixed": the dataflow schedule always, without the adaptive
        # fallback to the sequential plan.
        if cfg["mode"] == "dataflow-fixed":
            return [args.parallax, "bench", path, "--mode", "dataflow", "--fixed-schedule"] + common
        return [args.parallax, "bench", path, "--mode", cfg["mode"]] + common
    return ["node", os.path.join(ROOT, "reference", "ort_bench.js"), path, "--mode", cfg["mode"]] + common


def summarize(results):
    med = [r["median_ms"] for r in results]
    return {
        "median_ms": statistics.median(med),
        "p90_ms": statistics.median(r["p90_ms"] for r in results),
        "cpu_ms": statistics.median(r.get("cpu_ms_per_run", float("nan")) for r in results),
        "rss_mib": max(r.get("peak_rss_bytes", 0) for r in results) / 2**20,
        "spread": max(med) / min(med),
        "arena_mib": results[-1].get("arena_bytes", 0) / 2**20 if "arena_bytes" in results[-1] else None,
        "stats": results[-1].get("stats"),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS))
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "models"))
    ap.add_argument("--parallax", default=os.path.join(ROOT, "build", "parallax"))
    ap.add_argument("--px", default=DEFAULT_PX, help="parallax MODE:THREADS list")
    ap.add_argument("--ort", default=DEFAULT_ORT, help="ORT MODE:THREADS list (mode sequential|parallel)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=17)  # parallax bench's own: the adaptive schedule's first trial
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rerun-spread", type=float, default=1.15)
    ap.add_argument("--out")
    ap.add_argument("--json-out")
    args = ap.parse_args()
    if not os.path.exists(args.parallax):
        sys.exit(f"compare_ort: {args.parallax} not built (scripts/setup.sh)")
    ort_ok = os.path.isdir(os.path.join(ROOT, "reference", "node_modules", "onnxruntime-node"))
    if not ort_ok:
        print("compare_ort: onnxruntime-node is not installed (scripts/setup.sh): parallax only", file=sys.stderr)
    cfgs = configs(args.px, "parallax") + (configs(args.ort, "ORT") if ort_ok else [])

    lines = ["| model | configuration | median ms | p90 ms | spread | CPU ms/run | peak RSS MiB | arena MiB | "
             "vs ORT best | bound ms |", "|---|---|---|---|---|---|---|---|---|---|"]
    report = []
    for model in args.models.split(","):
        path = os.path.join(args.models_dir, model + ".onnx")
        inputs = os.path.join(args.models_dir, model, "test_data_set_0")
        if not os.path.exists(path):
            print(f"skip {model}: {path} missing", file=sys.stderr)
            continue
        results = {c["name"]: [] for c in cfgs}
        failed = set()
        errors = {}
        for _ in range(args.rounds):
            for c in cfgs:
                if c["name"] in failed:
                    continue
                try:
                    results[c["name"]].append(run_json(command(c, args, path, inputs)))
                except BENCH_ERRORS as e:
                    failed.add(c["name"])
                    errors[c["name"]] = str(e).split(" failed: ", 1)[-1][-300:]
                    print(e, file=sys.stderr)
        for c in cfgs:  # noisy configurations get up to two more rounds
            for _ in range(2):
                r = results[c["name"]]
                if c["name"] in failed or len(r) < 2 or summarize(r)["spread"] <= args.rerun_spread:
                    break
                try:
                    r.append(run_json(command(c, args, path, inputs)))
                except BENCH_ERRORS as e:
                    print(e, file=sys.stderr)
        summ = {n: summarize(r) for n, r in results.items() if r}
        errors = {n: e for n, e in errors.items() if n not in summ}
        ort_names = [n for n in summ if n.startswith("ORT")]
        best = min(ort_names, key=lambda n: summ[n]["median_ms"]) if ort_names else None
        for c in cfgs:
            n = c["name"]
            if n not in summ:
                lines.append(f"| {model} | {n} | error | | | | | | | |")
                report.append({"model": model, "config": n, "runtime": c["runtime"], "mode": c["mode"],
                               "threads": c["threads"], "error": errors.get(n, "no result"), "best_ort": best})
                continue
            s = summ[n]
            ratio = ""
            if best:
                r = s["median_ms"] / summ[best]["median_ms"]
                noise = max(s["spread"], summ[best]["spread"])
                ratio = f"{r:.2f}x" + (" ~" if 1 / noise <= r <= noise and n != best else "")
                if n == best:
                    ratio = "1.00x (best ORT)"
            bound = f"{s['stats']['bound_ms']:.1f}" if s.get("stats") and "bound_ms" in s["stats"] else ""
            arena = f"{s['arena_mib']:.1f}" if s["arena_mib"] is not None else ""
            lines.append(f"| {model} | {n} | {s['median_ms']:.2f} | {s['p90_ms']:.2f} | {s['spread']:.2f} | "
                         f"{s['cpu_ms']:.1f} | {s['rss_mib']:.0f} | {arena} | {ratio} | {bound} |")
            print(lines[-1], file=sys.stderr, flush=True)
            report.append({"model": model, "config": n, "runtime": c["runtime"], "mode": c["mode"],
                           "threads": c["threads"], **{k: v for k, v in s.items() if k != "stats"},
                           "rounds": len(results[n]), "stats": s.get("stats"), "best_ort": best})
    header = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.uname().nodename} ({os.cpu_count()} cores); "
              f"{args.rounds} alternating rounds of {args.warmup} warm-up + {args.runs} runs; medians over rounds; "
              "spread = slowest / fastest round median; '~' = ratio within that noise.", ""]
    text = "\n".join(header + lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
