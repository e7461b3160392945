#!/usr/bin/python3
"""Parallax against ONNX Runtime 1.30 on the same machine, in the same run.

For every model and thread count, runs `parallax bench --json` and
`node reference/ort_bench.js --json` alternately, ROUNDS times each (so that
noise from a shared machine hits both alike), and reports per side the median
over rounds of each round's median latency and p90, plus the ratio
parallax / ORT. Writes Markdown to stdout (and --out FILE).

  /usr/bin/python3 bench/compare_ort.py [--models a,b] [--threads 1,2] [--rounds 3] [--runs 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELS = ["mobilenet_v2", "resnet18", "googlenet", "inception_v3", "ssdlite320_mobilenet_v3_large",
                  "swin_v2_t", "ppocr_det", "ppocr_rec", "silero_vad_v5"]


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS))
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "models"))
    ap.add_argument("--parallax", default=os.path.join(ROOT, "build", "parallax"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out")
    args = ap.parse_args()

    lines = ["| model | threads | parallax median ms | parallax p90 | ORT median ms | ORT p90 | ratio (median) | parallax CPU ms/run | parallax peak RSS MiB | arena MiB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for model in args.models.split(","):
        path = os.path.join(args.models_dir, model + ".onnx")
        inputs = os.path.join(args.models_dir, model, "test_data_set_0")
        if not os.path.exists(path):
            print(f"skip {model}: {path} missing", file=sys.stderr)
            continue
        for threads in [int(t) for t in args.threads.split(",")]:
            common = ["--threads", str(threads), "--warmup", str(args.warmup), "--runs", str(args.runs),
                      "--inputs", inputs, "--json"]
            px, ort = [], []
            try:
                for _ in range(args.rounds):
                    px.append(run_json([args.parallax, "bench", path] + common))
                    ort.append(run_json(["node", os.path.join(ROOT, "reference", "ort_bench.js"), path] + common))
            except RuntimeError as e:
                lines.append(f"| {model} | {threads} | error | | | | | | | |")
                print(e, file=sys.stderr)
                continue
            pm = statistics.median(r["median_ms"] for r in px)
            pp = statistics.median(r["p90_ms"] for r in px)
            om = statistics.median(r["median_ms"] for r in ort)
            op = statistics.median(r["p90_ms"] for r in ort)
            cpu = statistics.median(r["cpu_ms_per_run"] for r in px)
            rss = max(r["peak_rss_bytes"] for r in px) / 2**20
            arena = px[-1]["arena_bytes"] / 2**20
            lines.append(f"| {model} | {threads} | {pm:.2f} | {pp:.2f} | {om:.2f} | {op:.2f} | {pm / om:.2f}x | "
                         f"{cpu:.1f} | {rss:.0f} | {arena:.1f} |")
            print(lines[-1], file=sys.stderr, flush=True)
    header = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.uname().nodename} ({os.cpu_count()} cores); "
              f"{args.rounds} alternating rounds of {args.warmup} warm-up + {args.runs} runs; medians over rounds.", ""]
    text = "\n".join(header + lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
