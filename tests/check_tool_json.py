#!/usr/bin/env python3
"""Checks the JSON the `parallax` tool writes (ctest, tests/CMakeLists.txt).

  check_tool_json.py bench-json PARALLAX MODEL [ARGS...]
      runs `PARALLAX bench MODEL --json ARGS...`; stdout must be one JSON
      object with the summary keys and a "stats" object without a timeline.
  check_tool_json.py trace run|bench PARALLAX TRACE_FILE MODEL [ARGS...]
      runs `PARALLAX run|bench MODEL --trace TRACE_FILE ARGS...`; the file
      must be Chrome-trace JSON with the process and caller-thread names, one
      run slice per run (bench: per counted run, --runs), the arena counter
      and, when the runtime records a timeline, op slices inside run slices.
Exits non-zero with the reason on the first failed check.
"""
import json
import os
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd):
    print("$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        fail(f"exit status {p.returncode}: {p.stdout}")
    return p.stdout


def check_bench_json(parallax, model, args):
    out = run([parallax, "bench", model, "--json", *args])
    try:
        j = json.loads(out)
    except json.JSONDecodeError as e:
        fail(f"stdout is not one JSON object ({e}): {out!r}")
    for key in ("model", "threads", "runs", "min_ms", "median_ms", "p90_ms", "max_ms", "cpu_ms_per_run",
                "peak_rss_bytes", "arena_bytes", "mode", "memory_budget", "stats"):
        if key not in j:
            fail(f"no '{key}' in {sorted(j)}")
    if j["mode"] not in ("sequential", "layer", "dataflow"):
        fail(f"mode {j['mode']!r}")
    stats = j["stats"]
    for key in ("mode", "wall_ms", "arena_bytes", "sequential_arena_bytes", "peak_live_bytes", "max_concurrency",
                "concurrent_branches", "thread_busy_ms", "critical_path_ms", "bound_ms", "note"):
        if key not in stats:
            fail(f"no '{key}' in stats {sorted(stats)}")
    if "timeline" in stats:
        fail("stats carries the timeline")
    print("ok:", json.dumps({k: j[k] for k in ("mode", "memory_budget", "median_ms")}))


def check_trace(command, parallax, trace_file, model, args):
    if os.path.exists(trace_file):
        os.remove(trace_file)
    run([parallax, command, model, "--trace", trace_file, *args])
    expected_runs = int(args[args.index("--runs") + 1]) if command == "bench" and "--runs" in args else 1
    with open(trace_file) as f:
        trace = json.load(f)
    events = trace.get("traceEvents")
    if not isinstance(events, list):
        fail("no traceEvents array")
    meta = [e for e in events if e.get("ph") == "M"]
    if not any(e["name"] == "process_name" and e["args"]["name"] == "parallax" for e in meta):
        fail("process is not named parallax")
    threads = {e["tid"]: e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    if threads.get(0) != "thread 0 (caller)":
        fail(f"thread names {threads}")
    slices = [e for e in events if e.get("ph") == "X"]
    for e in slices:
        for key in ("pid", "tid", "ts", "dur", "name", "cat", "args"):
            if key not in e:
                fail(f"slice without '{key}': {e}")
        if e["tid"] not in threads:
            fail(f"slice on an unnamed thread: {e}")
    runs = sorted((e for e in slices if e["cat"] == "run"), key=lambda e: e["ts"])
    if len(runs) != expected_runs or any(r["tid"] != 0 for r in runs):
        fail(f"expected {expected_runs} run slices on the caller track, got {runs}")
    for a, b in zip(runs, runs[1:]):
        if a["ts"] + a["dur"] > b["ts"]:
            fail(f"run slices overlap: {a} {b}")
    counters = [e for e in events if e.get("ph") == "C" and e["name"] == "arena"]
    if len(counters) != expected_runs or "planned" not in counters[0]["args"]:
        fail("no arena counter sample per run")
    ops = [e for e in slices if e["cat"] == "op"]
    for op in ops:
        if not any(r["ts"] <= op["ts"] and op["ts"] + op["dur"] <= r["ts"] + r["dur"] for r in runs):
            fail(f"op outside every run slice: {op}")
        if "node" not in op["args"]:
            fail(f"op slice without node name: {op}")
    # Until the runtime records timelines (record_timeline), a trace has
    # the run slice and counters only; say so rather than fail. Once it
    # counts the nodes it ran, it must also have recorded them.
    nodes_run = sum(r["args"].get("nodes_run", 0) for r in runs)
    if nodes_run > 0 and len(ops) != nodes_run:
        fail(f"{nodes_run} nodes run but {len(ops)} op slices")
    print(f"ok: {len(threads)} thread tracks, {len(ops)} op slices, "
          f"{sum(e['cat'] == 'branch' for e in slices)} branch slices, {len(counters)} arena samples"
          + ("" if ops else " (runtime recorded no timeline)"))


def main(argv):
    if len(argv) >= 3 and argv[0] == "bench-json":
        check_bench_json(argv[1], argv[2], argv[3:])
    elif len(argv) >= 5 and argv[0] == "trace" and argv[1] in ("run", "bench"):
        check_trace(argv[1], argv[2], argv[3], argv[4], argv[5:])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
