#!/usr/bin/env python3
"""Memory and load time against ONNX Runtime, per model (issue 15's report).

  bench/memory.py [--models a,b] [--threads 2] [--runs 5] [--out docs/report/memory]

For each model of the suite (models/<name>.onnx) and the zoo
(models/zoo/<name>.onnx), with its test_data_set_0 inputs when present:
`parallax bench --json` and `node reference/ort_bench.js --json`, one after
the other, alternating which goes first. Both report their own peak RSS
(VmHWM, which starts afresh at exec: no driver memory inherited), parallax
also its weight bytes, the weight bytes it keeps after packing, the arena,
and open time; ORT its session-creation time. ORT's RSS includes Node's own
(about 45 MiB). Writes <out>.md and <out>.json.

The bars (issue 15): parallax RSS <= ORT RSS; parallax RSS <= file + arena
+ run-time-sized tensors + 64 MiB; parallax open <= ORT session creation.
"""
import argparse
import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import report as rep  # noqa: E402  machine_info, run_capture, last_json_line

ORT_BENCH = os.path.join(ROOT, "reference", "ort_bench.js")
MIB = 2**20
SLACK = 64 * MIB


def find_models(names):
    found = []
    for folder in (os.path.join(ROOT, "models"), os.path.join(ROOT, "models", "zoo")):
        if not os.path.isdir(folder):
            continue
        for f in sorted(os.listdir(folder)):
            name = f[:-5]
            if f.endswith(".onnx") and (not names or name in names):
                data = os.path.join(folder, name, "test_data_set_0")
                found.append((name, os.path.join(folder, f), data if os.path.isdir(data) else None))
    return found


def measure(cmd):
    rc, out, err = rep.run_capture(cmd, 1800)
    if rc != 0:
        return {"error": err.strip()[-300:]}
    return rep.last_json_line(out)


def run(args):
    rows = []
    for i, (name, path, data) in enumerate(find_models(args.models)):
        common = ["--threads", str(args.threads), "--warmup", "2", "--runs", str(args.runs), "--json"]
        if data:
            common += ["--inputs", data]
        px_cmd = [args.parallax, "bench", path] + common
        ort_cmd = ["node", ORT_BENCH, path] + common
        order = [("px", px_cmd), ("ort", ort_cmd)] if i % 2 == 0 else [("ort", ort_cmd), ("px", px_cmd)]
        got = {k: measure(c) for k, c in order}
        px, ort = got["px"], got["ort"]
        row = {"model": name, "file_bytes": os.path.getsize(path)}
        if "error" in px:
            row["px_error"] = px["error"]
        else:
            row.update({k: px.get(k) for k in ("weight_bytes", "resident_weight_bytes", "arena_bytes", "pooled_peak_bytes", "open_ms",
                                                "first_run_ms", "median_ms")})
            row["px_rss"] = px["peak_rss_bytes"]
        if "error" in ort:
            row["ort_error"] = ort["error"]
        else:
            row.update({"ort_rss": ort["peak_rss_bytes"], "ort_load_ms": ort["load_ms"], "ort_median_ms": ort["median_ms"]})
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def mib(x):
    return "-" if x is None else f"{x / MIB:.1f}"


def activation_bar(r):
    """File + activations + slack. Activations are the planned arena plus the
    peak of tensors sized only at run time (pooled apart from the arena): a
    detector's boxes and masks are activations too, just not plannable."""
    return r["file_bytes"] + (r.get("arena_bytes") or 0) + (r.get("pooled_peak_bytes") or 0) + SLACK


def render(rows, meta):
    ok = [r for r in rows if "px_rss" in r and "ort_rss" in r]
    over_ort = [r["model"] for r in ok if r["px_rss"] > r["ort_rss"]]
    over_file = [r["model"] for r in ok if r["px_rss"] > activation_bar(r)]
    slow_open = [r["model"] for r in ok if r["open_ms"] > r["ort_load_ms"]]
    lines = [
        "# Memory and load time against ONNX Runtime",
        "",
        f"Generated {meta['date']} by `bench/memory.py` on {meta['machine']}; {meta['threads']} threads, "
        f"{meta['runs']} runs after 2 warm-up. Peak RSS is each process's VmHWM; ORT's includes Node's own "
        "(about 45 MiB). *resident* is what parallax keeps of the weights after its kernels packed them "
        "(a packed copy replaces the original). *open* is `Session::open` (load, optimize, compile); ORT's is "
        "`InferenceSession.create`. *run-time* is the peak of tensors whose size is known only at run time, "
        "pooled apart from the arena.",
        "",
        f"- Models: {len(rows)}, measured on both: {len(ok)}.",
        f"- Peak RSS above ORT's: {len(over_ort)} ({', '.join(over_ort) or 'none'}).",
        f"- Peak RSS above file + arena + run-time tensors + 64 MiB: {len(over_file)} ({', '.join(over_file) or 'none'}).",
        f"- Open slower than ORT's session creation: {len(slow_open)} ({', '.join(slow_open) or 'none'}).",
        "",
        "| model | file MiB | weights MiB | resident MiB | arena MiB | run-time MiB | parallax RSS | ORT RSS | RSS ratio "
        "| open ms | ORT create ms | first run ms | median ms | ORT median ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "px_rss" not in r or "ort_rss" not in r:
            lines.append(f"| {r['model']} | {mib(r['file_bytes'])} | error: "
                         f"{(r.get('px_error') or r.get('ort_error') or '')[:80]} |" + " |" * 12)
            continue
        lines.append(
            f"| {r['model']} | {mib(r['file_bytes'])} | {mib(r['weight_bytes'])} | {mib(r['resident_weight_bytes'])} "
            f"| {mib(r['arena_bytes'])} | {mib(r.get('pooled_peak_bytes'))} | {mib(r['px_rss'])} | {mib(r['ort_rss'])} | {r['px_rss'] / r['ort_rss']:.2f} "
            f"| {r['open_ms']:.0f} | {r['ort_load_ms']:.0f} | {r['first_run_ms']:.1f} | {r['median_ms']:.2f} "
            f"| {r['ort_median_ms']:.2f} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=lambda s: set(s.split(",")) if s else set(), default=set())
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--parallax", default=os.path.join(ROOT, "build", "parallax"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "report", "memory"))
    args = ap.parse_args()
    rows = run(args)
    mach = rep.machine_info()
    meta = {"date": datetime.date.today().isoformat(), "machine": f"{mach.get('cores', '?')} cores, "
            f"{mach.get('cpu_model', '')}", "threads": args.threads, "runs": args.runs}
    with open(args.out + ".json", "w") as f:
        json.dump({"meta": meta, "models": rows}, f, indent=1)
    with open(args.out + ".md", "w") as f:
        f.write(render(rows, meta))
    print(f"wrote {args.out}.md")


if __name__ == "__main__":
    main()
