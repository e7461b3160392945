#!/usr/bin/python3
"""One command that reproduces the paper's tables on this machine.

  /usr/bin/python3 bench/report.py [--models a,b] [--rounds 3] [--runs 20] [--warmup 17] [--out docs/report]
  /usr/bin/python3 bench/report.py --from-json docs/report/results.json --out /tmp/r   # re-render only

Per model of the suite (default: every model of scripts/model_manifest.json
that exists under models/):
  - latency and memory: bench/compare_ort.py (alternating rounds, noisy
    configurations rerun) over parallax sequential:1, sequential:2, layer:2,
    dataflow:2 and ORT sequential:1, sequential:2, parallel:2;
  - structure (Table 7) and memory plans (Table 5) from `parallax plan`
    (no kernel runs);
  - one warm dataflow run at 2 threads of one model (--trace-model) traced
    with `parallax bench --trace` for the per-thread timeline.
Writes OUT/report.md, OUT/report.html (self-contained: inline CSS and SVG),
OUT/results.json (everything the report is made from; --from-json re-renders
it) and OUT/report.png (headless Chromium screenshot, when chromium exists).
A model that is missing, a configuration or plan that fails, ORT or Chromium
not installed: noted in the report, which is always written with what
succeeded. --check verifies the written files (md and html exist, the html
parses with balanced tags and has SVG charts) and exits 1 if not.
"""
import argparse
import datetime
import html
import html.parser
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(ROOT, "scripts", "model_manifest.json")
DEFAULT_PX = "sequential:1,sequential:2,layer:2,dataflow-fixed:2,dataflow:2"
DEFAULT_ORT = "sequential:1,sequential:2,parallel:2"
FORMAT = "parallax-report/1"


# ----------------------------------------------------------------------------------------------- collection

def log(*a):
    print("report:", *a, file=sys.stderr, flush=True)


def positive_int(v):
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{v}' is not an integer")
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{v}' must be >= 1")
    return n


def nonneg_int(v):
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{v}' is not an integer")
    if n < 0:
        raise argparse.ArgumentTypeError(f"'{v}' must be >= 0")
    return n


def config_list(v):
    if v in ("", "none"):
        return ""
    out = []
    for item in v.split(","):
        mode, sep, threads = item.partition(":")
        if not sep or not mode or not threads.isdigit() or int(threads) < 1:
            raise argparse.ArgumentTypeError(f"'{item}' is not MODE:THREADS")
        out.append(item)
    return ",".join(out)


def load_manifest():
    try:
        with open(MANIFEST) as f:
            return json.load(f).get("models", {})
    except (OSError, ValueError) as e:
        log(f"cannot read {MANIFEST}: {e}")
        return {}


def shape_flags(entry):
    """--shape NAME=AxB for each manifest input whose shape is all integers."""
    flags = []
    for inp in (entry or {}).get("inputs", []):
        shape = inp.get("shape")
        if isinstance(shape, list) and all(isinstance(d, int) for d in shape):
            flags += ["--shape", f"{inp['name']}={'x'.join(str(d) for d in shape)}"]
    return flags


def run_capture(cmd, timeout):
    """(rc, stdout, stderr); rc None when the command could not run or timed out."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout} s"
    except OSError as e:
        return None, "", str(e)


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON object in the output")


def plan_json(parallax, path, flags, memory):
    """`parallax plan --format json` (with --memory: the Table 5 plans); (json, error, note)."""
    base = [parallax, "plan", path, "--threads", "2", "--format", "json"] + (["--memory"] if memory else [])
    note = ""
    for attempt in ([flags, []] if flags else [[]]):
        rc, out, err = run_capture(base + attempt, 300)
        if rc == 0:
            try:
                return json.loads(out), None, note
            except ValueError as e:
                return None, f"bad JSON from plan: {e}", note
        if attempt:
            note = "manifest shapes refused, planned with declared shapes: " + err.strip()[-200:]
    return None, (err.strip() or f"exit {rc}")[-400:], note


def plan_summary(j):
    s = dict(j.get("summary", {}))
    layers = j.get("layers", [])
    s["parallel_layer_ids"] = [l["id"] for l in layers if l.get("parallel")]
    ops = {}
    for n in j.get("nodes", []):
        ops[n.get("op", "?")] = ops.get(n.get("op", "?"), 0) + 1
    s["op_types"] = len(ops)
    return s


def run_bench(args, model):
    """bench/compare_ort.py on one model; (records, error, markdown)."""
    fd, tmp = tempfile.mkstemp(suffix=".json", prefix="report-")
    os.close(fd)
    cmd = [sys.executable, os.path.join(ROOT, "bench", "compare_ort.py"), "--models", model,
           "--models-dir", args.models_dir, "--parallax", args.parallax, "--px", args.px, "--ort", args.ort,
           "--rounds", str(args.rounds), "--runs", str(args.runs), "--warmup", str(args.warmup), "--json-out", tmp]
    log(f"{model}: {' '.join(shlex.quote(c) for c in cmd[1:])}")
    try:
        # stderr goes through: compare_ort prints each row as it is measured.
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            return [], f"compare_ort.py exited {p.returncode}", p.stdout
        with open(tmp) as f:
            records = json.load(f)
        return records, None, p.stdout
    except (OSError, ValueError) as e:
        return [], f"compare_ort.py: {e}", ""
    finally:
        os.unlink(tmp)


def collect_trace(args, model, path, inputs_dir, flags):
    """Ops of one warm dataflow run at 2 threads, from `parallax bench --trace`."""
    fd, tmp = tempfile.mkstemp(suffix=".json", prefix="report-trace-")
    os.close(fd)
    cmd = [args.parallax, "bench", path, "--mode", "dataflow", "--fixed-schedule", "--threads", "2", "--warmup", "2", "--runs", "5",
           "--trace", tmp, "--json"]
    cmd += ["--inputs", inputs_dir] if os.path.isdir(inputs_dir) else flags
    try:
        rc, out, err = run_capture(cmd, 600)
        if rc != 0:
            return {"model": model, "error": (err.strip() or f"exit {rc}")[-400:]}
        with open(tmp) as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        return {"model": model, "error": str(e)}
    finally:
        os.unlink(tmp)
    events = trace.get("traceEvents", trace if isinstance(trace, list) else [])
    # bench traces every counted run, one after another: keep the run of median wall time.
    runs = sorted((e for e in events if e.get("ph") == "X" and e.get("cat") == "run"), key=lambda e: e["dur"])
    if runs:
        keep = runs[(len(runs) - 1) // 2]
        t0, t1 = keep["ts"], keep["ts"] + keep["dur"]
        events = [dict(e, ts=e["ts"] - t0) if "ts" in e else e for e in events
                  if e.get("ph") != "X" or (t0 <= e["ts"] <= t1 and (e.get("cat") != "run" or e is keep))]
    threads, ops, branches, run = {}, [], [], {}
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            threads[e["tid"]] = e["args"]["name"]
        elif e.get("ph") == "X" and e.get("cat") == "op":
            a = e.get("args", {})
            ops.append({"tid": e["tid"], "ts": e["ts"] / 1e3, "dur": e["dur"] / 1e3, "op": e["name"],
                        "node": a.get("node", ""), "branch": a.get("branch", -1), "threads": a.get("threads")})
        elif e.get("ph") == "X" and e.get("cat") == "branch":
            branches.append({"tid": e["tid"], "ts": e["ts"] / 1e3, "dur": e["dur"] / 1e3,
                             "branch": e.get("args", {}).get("branch", -1)})
        elif e.get("ph") == "X" and e.get("cat") == "run":
            run = {k: v for k, v in e.get("args", {}).items() if k != "concurrent_branches"}
            run["dur_ms"] = e["dur"] / 1e3
            run["of_runs"] = len(runs)
    shown = ["FILE" if c == tmp else os.path.relpath(c, ROOT) if c.startswith(ROOT + os.sep) else c for c in cmd]
    return {"model": model, "command": " ".join(shlex.quote(c) for c in shown),
            "threads": {str(k): v for k, v in sorted(threads.items())}, "run": run, "ops": ops, "branches": branches}


def machine_info():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"host": platform.node(), "cores": os.cpu_count(), "cpu_model": cpu or platform.processor() or "unknown",
            "memory": mem, "kernel": platform.release()}


def ort_version():
    mod = os.path.join(ROOT, "reference", "node_modules", "onnxruntime-node")
    if not os.path.isdir(mod) or not shutil.which("node"):
        return None
    try:
        with open(os.path.join(mod, "package.json")) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return "unknown"


def collect(args, argv):
    manifest = load_manifest()
    notes = []
    if args.models:
        names = [m.strip() for m in args.models.split(",") if m.strip()]
    else:
        names = [m for m in manifest if os.path.exists(os.path.join(args.models_dir, m + ".onnx"))]
    ort = ort_version()
    if ort is not None and not args.ort:
        notes.append("ONNX Runtime not measured (--ort none): parallax only.")
    if ort is None:
        notes.append("ONNX Runtime (reference/node_modules/onnxruntime-node, or node) is not installed: "
                      "parallax only; install with scripts/setup.sh.")
        args.ort = ""
    meta = {"command": "/usr/bin/python3 " + " ".join(shlex.quote(a) for a in argv),
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "machine": machine_info(), "ort_version": ort, "rounds": args.rounds, "runs": args.runs,
            "warmup": args.warmup, "px_configs": args.px.split(","),
            "ort_configs": args.ort.split(",") if args.ort else [], "notes": notes,
            "measured": not args.no_bench}
    models = []
    for name in names:
        path = os.path.join(args.models_dir, name + ".onnx")
        entry = manifest.get(name)
        if not os.path.exists(path):
            script = (entry or {}).get("script", "scripts/make_paper_models.py").split()[0]
            models.append({"name": name, "status": "skipped", "reason": f"skipped: not made; run {script}"})
            log(f"{name}: skipped: {path} missing")
            continue
        flags = shape_flags(entry)
        m = {"name": name, "status": "ok", "task": (entry or {}).get("task", ""),
             "shapes": [flags[i + 1] for i in range(0, len(flags), 2)], "plan": None, "memory": None}
        log(f"{name}: plan")
        try:
            j, m["plan_error"], note = plan_json(args.parallax, path, flags, memory=False)
            m["plan"] = plan_summary(j) if j else None
            j, m["memory_error"], note2 = plan_json(args.parallax, path, flags, memory=True)
            m["memory"] = {k: v for k, v in j.items() if k != "model"} if j else None
            m["plan_note"] = note or note2
        except (KeyError, TypeError, AttributeError) as e:  # JSON of an unexpected layout
            m["plan_error"] = m["memory_error"] = f"unexpected plan JSON: {type(e).__name__}: {e}"
        if args.no_bench:
            m["bench"], m["bench_error"] = [], "not measured (--no-bench)"
        else:
            m["bench"], m["bench_error"], _ = run_bench(args, name)
        models.append(m)
    trace = None
    ok = [m["name"] for m in models if m["status"] == "ok"]
    tm = args.trace_model or next((n for n in ("googlenet", "inception_v3") if n in ok), ok[0] if ok else None)
    if tm and args.trace_model != "none":
        if tm not in ok:
            trace = {"model": tm, "error": f"{tm} is not in the measured suite"}
        else:
            log(f"{tm}: trace of one dataflow run at 2 threads")
            try:
                trace = collect_trace(args, tm, os.path.join(args.models_dir, tm + ".onnx"),
                                      os.path.join(args.models_dir, tm, "test_data_set_0"),
                                      shape_flags(manifest.get(tm)))
            except Exception as e:  # a malformed trace must not cost the report
                trace = {"model": tm, "error": f"{type(e).__name__}: {e}"}
    return {"format": FORMAT, "meta": meta, "models": models, "trace": trace}


# ------------------------------------------------------------------------------------------------- analysis

def fnum(x, d=2):
    if x is None or isinstance(x, str):
        return x or ""
    if x != x:  # NaN
        return "n/a"
    return f"{x:.{d}f}"


def mib(b):
    return None if b is None else b / 2**20


def fsize(b):
    """Bytes as MiB with 2 decimals, or KiB / B where MiB would print 0.00."""
    if b is None:
        return ""
    return f"{b / 2**20:.2f}" if b >= 2**20 / 100 else f"{b / 1024:.1f} KiB" if b >= 1024 else f"{b} B"


def ratio_cell(rec, recs):
    """Median over ORT's best, '~' when within the larger of the two spreads."""
    best = rec.get("best_ort")
    b = next((r for r in recs if r["config"] == best and "median_ms" in r), None)
    if not b or "median_ms" not in rec:
        return ""
    if rec["config"] == best:
        return "1.00x (best ORT)"
    r = rec["median_ms"] / b["median_ms"]
    noise = max(rec.get("spread", 1.0), b.get("spread", 1.0))
    return f"{r:.2f}x" + (" ~" if 1 / noise <= r <= noise else "")


def config_names(data):
    meta = data["meta"]
    names = [f"parallax {c.replace(':', ' x')}" for c in meta["px_configs"]]
    names += [f"ORT {c.replace(':', ' x')}" for c in meta["ort_configs"]]
    seen = set(names)
    for m in data["models"]:  # configurations in the records but not in meta (older JSON)
        for r in m.get("bench", []):
            if r["config"] not in seen:
                names.append(r["config"])
                seen.add(r["config"])
    return names


def by_config(m):
    return {r["config"]: r for r in m.get("bench", [])}


def build_tables(data):
    """[(id, title, caption, header, rows)]; rows are lists of strings."""
    models = [m for m in data["models"] if m["status"] == "ok"]
    names = config_names(data)
    tables = []

    rows = []
    for m in models:
        recs = m.get("bench", [])
        if not recs:
            rows.append([m["name"], "all", m.get("bench_error") or "error", "", "", "", "", ""])
            continue
        bc = by_config(m)
        for n in names:
            r = bc.get(n)
            if r is None:
                continue
            if "median_ms" not in r:
                rows.append([m["name"], n, "error", "", "", "", "", ""])
                continue
            bound = (r.get("stats") or {}).get("bound_ms")
            rows.append([m["name"], n, fnum(r["median_ms"]), fnum(r["p90_ms"]), fnum(r.get("spread")),
                         fnum(r.get("cpu_ms"), 1), ratio_cell(r, recs),
                         f"{r['median_ms'] / bound:.2f}x" if bound else ""])
    tables.append(("table3", "Table 3: latency",
                   "Median and p90 latency (ms) over rounds; spread = slowest / fastest round median; "
                   "'vs ORT best' = median / the fastest ORT configuration's median, '~' = within the larger of "
                   "the two spreads (noise); 'vs bound' = median / the run's bound max(critical path, work / T) "
                   "measured from its own op times.",
                   ["model", "configuration", "median ms", "p90 ms", "spread", "CPU ms/run", "vs ORT best",
                    "vs bound"], rows))

    rows = []
    for m in models:
        bc = by_config(m)
        if not bc:
            continue
        row = [m["name"]]
        for n in names:
            r = bc.get(n)
            row.append("" if r is None else ("error" if "rss_mib" not in r else fnum(r["rss_mib"], 0)))
        df = next((r for n, r in bc.items() if n.startswith("parallax") and "dataflow" in n and
                   r.get("arena_mib") is not None), None)
        row.append(fnum(df["arena_mib"], 1) if df else "")
        rows.append(row)
    tables.append(("table4", "Table 4: peak memory",
                   "Peak RSS (MiB) of the whole benchmark process per configuration (largest over rounds; ORT "
                   "runs in node, so its RSS includes the JavaScript runtime); last column: parallax's planned "
                   "activation arena at dataflow x2.",
                   ["model"] + names + ["parallax arena MiB"], rows))

    rows = []
    for m in models:
        j = m.get("memory")
        if not j:
            rows.append([m["name"], "error: " + (m.get("memory_error") or "")[-120:]] + [""] * 9)
            continue
        seq, lb = j["sequential_bytes"], j["lower_bound_bytes"]
        d, l = j["dataflow"]["arena_bytes"], j["layer"]["arena_bytes"]
        q = lambda a, b: f"{a / b:.2f}" if b else ""
        rows.append([m["name"], fsize(j["naive_bytes"]), fsize(seq), fsize(j["paper_branch_arenas_bytes"]),
                     fsize(d), fsize(l), fsize(lb), q(j["paper_branch_arenas_bytes"], seq), q(d, seq),
                     q(l, seq), q(seq, lb)])
    tables.append(("table5", "Table 5: activation arena per memory plan",
                   "Arena MiB (KiB / B where smaller) at 2 threads from `parallax plan --memory` (no kernel runs): naive = one buffer per "
                   "tensor; sequential = greedy by size on the sequential order; paper = one arena per branch; "
                   "dataflow / layer = parallax's concurrent plans (buffers of ops that may run at once never "
                   "overlap); lower bound = most bytes live at once. Ratios: to the sequential plan, and "
                   "sequential / lower bound.",
                   ["model", "naive", "sequential", "paper per-branch", "dataflow", "layer", "lower bound",
                    "paper/seq", "dataflow/seq", "layer/seq", "seq/LB"], rows))

    rows = []
    for m in models:
        s = m.get("plan")
        if not s:
            rows.append([m["name"], "error: " + (m.get("plan_error") or "")[-120:]] + [""] * 6)
            continue
        par = s["total_macs"] / s["critical_path_macs"] if s.get("critical_path_macs") else None
        rows.append([m["name"], str(s.get("nodes", "")), str(s.get("branches", "")), str(s.get("layers", "")),
                     str(s.get("parallel_layers", "")), str(s.get("max_branches_per_layer", "")),
                     fnum(s.get("total_macs", 0) / 1e6, 0) if s.get("work_known") else "unknown",
                     fnum(par, 2) if s.get("work_known") and par else ""])
    tables.append(("table7", "Table 7: graph structure",
                   "From `parallax plan --threads 2 --format json` after graph optimisation: nodes, branches, "
                   "layers, layers the refinement keeps parallel, most branches in one layer, total work (MMACs) "
                   "and the work / critical-path ratio (the most speed-up unbounded threads could give).",
                   ["model", "nodes", "branches", "layers", "parallel layers", "max branches/layer", "MMACs",
                    "work / critical path"], rows))

    rows = []
    for m in models:
        for n, r in by_config(m).items():
            st = r.get("stats") or {}
            if not n.startswith("parallax") or "dataflow" not in n or "median_ms" not in r or not st:
                continue
            bound = st.get("bound_ms")
            rows.append([m["name"], n, fnum(r["median_ms"]), fnum(bound), fnum(st.get("critical_path_ms")),
                         f"{r['median_ms'] / bound:.2f}x" if bound else "", str(st.get("max_concurrency", "")),
                         st.get("note", "")])
    tables.append(("bound", "How far from the bound",
                   "Dataflow median against the bound max(critical path, work / T) of the last measured run "
                   "(stats of `parallax bench --json`); max concurrency = most ops running at once.",
                   ["model", "configuration", "median ms", "bound ms", "critical path ms", "median / bound",
                    "max concurrency", "note"], rows))
    return tables


# --------------------------------------------------------------------------------------------------- render

def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_md(data, tables, png):
    meta, mach = data["meta"], data["meta"]["machine"]
    out = ["# Parallax: paper tables on this machine", "",
           f"- command: `{meta['command']}`",
           f"- date: {meta['date']}",
           f"- machine: {mach['host']}, {mach['cores']} cores, {mach['cpu_model']}"
           + (f", {mach['memory']} RAM" if mach.get("memory") else "") + f", Linux {mach.get('kernel', '')}",
           f"- ONNX Runtime: {('onnxruntime-node ' + meta['ort_version']) if meta.get('ort_version') else 'not installed'}",
           (f"- protocol: {meta['rounds']} alternating rounds of {meta['warmup']} warm-up + {meta['runs']} runs "
            "per configuration (bench/compare_ort.py); medians over rounds." if meta.get("measured", True) else
            "- protocol: latency not measured (--no-bench): structure and memory plans only."),
           "- charts and the per-thread timeline: report.html" + (f" (screenshot {png})" if png else ""), ""]
    skipped = [m for m in data["models"] if m["status"] != "ok"]
    notes = list(meta.get("notes", []))
    if meta.get("rounds", 0) < 2 and any(m.get("bench") for m in data["models"]):
        notes.append("one round only: every spread is 1.00, so '~' (within noise) cannot be judged; use --rounds 3.")
    for m in skipped:
        notes.append(f"{m['name']}: {m['reason']}")
    for m in data["models"]:
        if m["status"] == "ok":
            for r in m.get("bench", []):
                if "median_ms" not in r:
                    notes.append(f"{m['name']} {r['config']}: error: {md_escape(r.get('error', ''))[-200:]}")
            if m.get("bench_error"):
                notes.append(f"{m['name']}: benchmark: {m['bench_error']}")
            if m.get("plan_note"):
                notes.append(f"{m['name']}: {m['plan_note']}")
    tr = data.get("trace")
    if tr and tr.get("error"):
        notes.append(f"timeline ({tr['model']}): {tr['error']}")
    if notes:
        out += ["## Notes", ""] + [f"- {md_escape(n)}" for n in notes] + [""]
    for _, title, caption, header, rows in tables:
        out += [f"## {title}", "", caption, ""]
        if not rows:
            out += ["(no data)", ""]
            continue
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


PX_COLORS = ["#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]
ORT_COLORS = ["#fdae6b", "#fd8d3c", "#e6550d", "#a63603"]
CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#222;max-width:1340px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0 12px;font-size:12.5px}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f2f2f2}
td:first-child,.l2 td:nth-child(2){text-align:left}.cap{color:#555;font-size:12.5px;max-width:1100px}
.meta td{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:10px}
.charts svg,.wide{border:1px solid #e3e3e3;background:#fff}.note{color:#a33}
svg text{font:11px system-ui,sans-serif;fill:#333}svg .t{font-weight:600;font-size:12px}
svg rect:hover{stroke:#000;stroke-width:1}.legend{font-size:12px;margin:4px 0}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-2px}
"""


def esc(s):
    return html.escape(str(s), quote=True)


def color_of(name, names):
    px = [n for n in names if n.startswith("parallax")]
    ort = [n for n in names if not n.startswith("parallax")]
    if name in px:
        return PX_COLORS[min(px.index(name), len(PX_COLORS) - 1)]
    return ORT_COLORS[min(ort.index(name), len(ORT_COLORS) - 1)] if name in ort else "#999"


def legend(names):
    return '<div class="legend">' + "".join(
        f'<span style="background:{color_of(n, names)}"></span>{esc(n)}' for n in names) + "</div>"


def nice_max(v):
    if v <= 0:
        return 1.0
    import math
    e = 10 ** math.floor(math.log10(v))
    for k in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if k * e >= v:
            return k * e
    return 10 * e


def latency_chart(m, names):
    """Vertical bars per configuration: median, whisker to p90; the fastest ORT configuration is starred and
    a dashed line at its median crosses the chart."""
    bc = by_config(m)
    shown = [n for n in names if n in bc]
    if not shown:
        return ""
    W, H, L, B, T = 350, 266, 62, 54, 38
    pw, ph = W - L - 8, H - B - T
    vals = [bc[n].get("p90_ms", 0) for n in shown if "median_ms" in bc[n]]
    meds = sorted(bc[n]["median_ms"] for n in shown if "median_ms" in bc[n])
    # An outlier (e.g. a configuration 50x slower) would flatten the rest: the axis stops at 3x the
    # median of the medians and longer bars are cut, with their value written on them.
    cap = 3 * meds[len(meds) // 2] if meds else 1
    top = nice_max(min(max(vals) if vals else 1, cap))
    y = lambda v: T + ph - min(v, top * 1.04) / top * ph
    bw = pw / len(shown)
    best = next((r.get("best_ort") for r in bc.values() if r.get("best_ort")), None)
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
         f'<text class="t" x="{L}" y="15">{esc(m["name"])} — latency ms</text>']
    for k in range(5):
        v = top * k / 4
        s.append(f'<line x1="{L}" x2="{W - 8}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>'
                 f'<text x="{L - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    for i, n in enumerate(shown):
        r = bc[n]
        x = L + i * bw + bw * 0.15
        w = bw * 0.7
        if "median_ms" not in r:
            s.append(f'<text x="{x + w / 2:.1f}" y="{T + ph - 4}" text-anchor="middle" class="note" '
                     f'fill="#a33">error</text>')
        else:
            med, p90 = r["median_ms"], r["p90_ms"]
            title = (f"{n}: median {med:.2f} ms, p90 {p90:.2f} ms, spread {r.get('spread', 1):.2f}, "
                     f"{ratio_cell(r, m['bench'])}")
            s.append(f'<rect x="{x:.1f}" y="{y(med):.1f}" width="{w:.1f}" height="{max(y(0) - y(med), 0.5):.1f}" '
                     f'fill="{color_of(n, names)}"><title>{esc(title)}</title></rect>')
            cx = x + w / 2
            s.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(med):.1f}" y2="{y(p90):.1f}" stroke="#333"/>'
                     f'<line x1="{cx - 4:.1f}" x2="{cx + 4:.1f}" y1="{y(p90):.1f}" y2="{y(p90):.1f}" stroke="#333"/>')
            if med > top:  # cut bar: a white zigzag across its top
                yc = y(top) + 6
                s.append(f'<polyline points="{x:.1f},{yc:.1f} {x + w / 3:.1f},{yc - 4:.1f} {x + 2 * w / 3:.1f},'
                         f'{yc + 2:.1f} {x + w:.1f},{yc - 3:.1f}" fill="none" stroke="#fff" stroke-width="2.5"/>')
            s.append(f'<text x="{cx:.1f}" y="{y(p90) - 3:.1f}" text-anchor="middle" font-size="9">'
                     f'{med:.3g}{" (cut)" if med > top else ""}</text>')
            if n == best:
                s.append(f'<text x="{cx:.1f}" y="{y(p90) - 13:.1f}" text-anchor="middle" fill="#a63603">★ best '
                         f'ORT</text>')
        label = n.replace("parallax ", "px ").replace("sequential", "seq").replace("dataflow", "dflow") \
                 .replace("parallel", "par")
        s.append(f'<text x="{x + w / 2:.1f}" y="{H - B + 14}" text-anchor="end" font-size="9.5" '
                 f'transform="rotate(-30 {x + w / 2:.1f} {H - B + 14})">{esc(label)}</text>')
    if best and "median_ms" in bc.get(best, {}):
        yb = y(bc[best]["median_ms"])
        s.append(f'<line x1="{L}" x2="{W - 8}" y1="{yb:.1f}" y2="{yb:.1f}" stroke="#a63603" stroke-dasharray="4 3">'
                 f'<title>best ORT: {esc(best)}</title></line>')
    s.append(f'<line x1="{L}" x2="{L}" y1="{T}" y2="{T + ph}" stroke="#999"/>'
             f'<line x1="{L}" x2="{W - 8}" y1="{T + ph}" y2="{T + ph}" stroke="#999"/></svg>')
    return "".join(s)


def memory_chart(m, names):
    """Horizontal bars: peak RSS per configuration (parallax's planned arena inside its bars), then the
    arena of each memory plan of Table 5."""
    bc = by_config(m)
    rows = []  # (label, value MiB, colour, title, inner arena MiB)
    for n in names:
        r = bc.get(n)
        if r is None:
            continue
        if "rss_mib" not in r:
            rows.append((n, None, "#ccc", f"{n}: error", None))
            continue
        arena = r.get("arena_mib")
        rows.append((n, r["rss_mib"], color_of(n, names),
                     f"{n}: peak RSS {r['rss_mib']:.1f} MiB" + (f", arena {arena:.1f} MiB" if arena else ""), arena))
    j = m.get("memory")
    plans = []
    if j:
        for label, b in (("naive", j["naive_bytes"]), ("sequential", j["sequential_bytes"]),
                         ("paper per-branch", j["paper_branch_arenas_bytes"]),
                         ("dataflow plan", j["dataflow"]["arena_bytes"]), ("layer plan", j["layer"]["arena_bytes"]),
                         ("lower bound", j["lower_bound_bytes"])):
            plans.append((label, b / 2**20, "#74c476" if label != "naive" else "#bdbdbd",
                          f"{label}: {b / 2**20:.2f} MiB ({b / max(j['sequential_bytes'], 1):.2f}x sequential)", None))
    if not rows and not plans:
        return ""
    W, L, R, rh = 420, 130, 60, 16
    H = 30 + (len(rows) + len(plans)) * rh + (36 if rows and plans else 14) + 10
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
         f'<text class="t" x="6" y="15">{esc(m["name"])} — memory MiB</text>']
    yy = 26

    def section(title, items):
        nonlocal yy
        if not items:
            return
        s.append(f'<text x="6" y="{yy + 10}" font-style="italic">{esc(title)}</text>')
        yy += 14
        top = max((v for _, v, _, _, _ in items if v), default=1) or 1
        for label, v, col, title_, inner in items:
            s.append(f'<text x="{L - 4}" y="{yy + 11}" text-anchor="end" font-size="10">{esc(label)}</text>')
            if v is None:
                s.append(f'<text x="{L + 2}" y="{yy + 11}" fill="#a33">error</text>')
            else:
                w = v / top * (W - L - R)
                s.append(f'<rect x="{L}" y="{yy + 2}" width="{max(w, 0.5):.1f}" height="{rh - 4}" fill="{col}">'
                         f'<title>{esc(title_)}</title></rect>')
                if inner:
                    s.append(f'<rect x="{L}" y="{yy + 6}" width="{max(inner / top * (W - L - R), 0.5):.1f}" '
                             f'height="{rh - 12}" fill="#08306b" opacity="0.8"><title>planned arena '
                             f'{inner:.1f} MiB</title></rect>')
                s.append(f'<text x="{L + w + 3:.1f}" y="{yy + 11}" font-size="10">{v:.1f}</text>')
            yy += rh

    section("peak RSS per configuration (dark inner bar: planned arena)", rows)
    if rows and plans:
        yy += 8
    section("activation arena per memory plan (Table 5)", plans)
    s.append("</svg>")
    return "".join(s)


def timeline_chart(tr):
    ops = tr.get("ops", [])
    if not ops:
        return ""
    tids = sorted({o["tid"] for o in ops} | {int(t) for t in tr.get("threads", {})})
    end = max(o["ts"] + o["dur"] for o in ops)
    end = max(end, tr.get("run", {}).get("dur_ms", 0))
    W, L, R, rh, T = 1300, 120, 20, 34, 30
    H = T + len(tids) * (rh + 12) + 34
    x = lambda t: L + t / end * (W - L - R)
    names = tr.get("threads", {})
    s = [f'<svg class="wide" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
         f'<text class="t" x="6" y="16">{esc(tr["model"])} — one dataflow run at 2 threads, '
         f'{end:.2f} ms; one row per thread, one box per op, colour = branch (hover for details)</text>']
    step = nice_max(end / 8)
    k = 0.0
    while k <= end + 1e-9:
        s.append(f'<line x1="{x(k):.1f}" x2="{x(k):.1f}" y1="{T}" y2="{H - 28}" stroke="#eee"/>'
                 f'<text x="{x(k):.1f}" y="{H - 14}" text-anchor="middle">{k:g} ms</text>')
        k += step
    for i, tid in enumerate(tids):
        y0 = T + i * (rh + 12)
        s.append(f'<text x="{L - 6}" y="{y0 + rh / 2 + 4:.1f}" text-anchor="end">'
                 f'{esc(names.get(str(tid), f"thread {tid}"))}</text>')
        s.append(f'<rect x="{L}" y="{y0}" width="{W - L - R}" height="{rh}" fill="#fafafa" stroke="#eee"/>')
        for b in tr.get("branches", []):
            if b["tid"] == tid:
                s.append(f'<rect x="{x(b["ts"]):.2f}" y="{y0 - 5}" width="{max(x(b["ts"] + b["dur"]) - x(b["ts"]), 0.5):.2f}" '
                         f'height="4" fill="{branch_color(b["branch"])}"><title>branch {b["branch"]}: '
                         f'{b["dur"]:.3f} ms</title></rect>')
        for o in ops:
            if o["tid"] != tid:
                continue
            w = max(x(o["ts"] + o["dur"]) - x(o["ts"]), 0.6)
            title = (f"{o['op']} {o['node']} — branch {o['branch']}, {o['dur']:.3f} ms at {o['ts']:.3f} ms"
                     + (f", {o['threads']} kernel threads" if o.get("threads") else ""))
            s.append(f'<rect x="{x(o["ts"]):.2f}" y="{y0 + 1}" width="{w:.2f}" height="{rh - 2}" '
                     f'fill="{branch_color(o["branch"])}" stroke="#fff" stroke-width="0.3">'
                     f'<title>{esc(title)}</title></rect>')
    s.append("</svg>")
    return "".join(s)


def branch_color(b):
    if b is None or b < 0:
        return "#999"
    return f"hsl({(b * 137.508) % 360:.0f},62%,{52 + (b % 3) * 8}%)"


def html_table(header, rows, cls=""):
    out = [f'<table class="{cls}">' + ("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"
                                       if header else "")]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
    return "".join(out) + "</table>"


def render_html(data, tables, md_text):
    meta, mach = data["meta"], data["meta"]["machine"]
    names = config_names(data)
    ok = [m for m in data["models"] if m["status"] == "ok"]
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           "<title>Parallax report</title>", f"<style>{CSS}</style></head><body>",
           "<h1>Parallax: paper tables on this machine</h1>",
           html_table(None, [
               ["command", meta["command"]], ["date", meta["date"]],
               ["machine", f"{mach['host']}, {mach['cores']} cores, {mach['cpu_model']}"
                + (f", {mach['memory']} RAM" if mach.get("memory") else "")],
               ["ONNX Runtime", ("onnxruntime-node " + meta["ort_version"]) if meta.get("ort_version")
                else "not installed (parallax only)"],
               ["protocol", f"{meta['rounds']} alternating rounds of {meta['warmup']} warm-up + {meta['runs']} "
                            "runs per configuration (bench/compare_ort.py); medians over rounds"
                if meta.get("measured", True) else "latency not measured (--no-bench)"]], "meta")]
    notes_md = md_text.split("## Notes", 1)
    if len(notes_md) == 2:
        items = [l[2:] for l in notes_md[1].split("\n## ", 1)[0].splitlines() if l.startswith("- ")]
        out.append("<h2>Notes</h2><ul>" + "".join(f'<li class="note">{esc(i)}</li>' for i in items) + "</ul>")
    charts = [c for c in (latency_chart(m, names) for m in ok) if c]
    out.append("<h2>Latency per model and configuration</h2><p class=\"cap\">Bar: median over rounds; "
               "whisker: p90; ★ and dashed line: ORT's fastest configuration; bars far above the rest are cut "
               "(value written on top). Hover a bar for its numbers.</p>")
    out.append(legend(names) + '<div class="charts">' + "".join(charts) + "</div>" if charts else "<p>(no data)</p>")
    charts = [c for c in (memory_chart(m, names) for m in ok) if c]
    out.append("<h2>Memory: peak RSS and arena</h2>")
    out.append('<div class="charts">' + "".join(charts) + "</div>" if charts else "<p>(no data)</p>")
    tr = data.get("trace")
    out.append("<h2>Timeline of one dataflow run</h2>")
    if tr and tr.get("ops"):
        run = tr.get("run", {})
        out.append(f'<p class="cap">From <code>{esc(tr.get("command", ""))}</code> (the run of median wall time '
                   f'of {esc(run.get("of_runs", "?"))} counted runs after 2 warm-up runs). Max concurrency {esc(run.get("max_concurrency", "?"))}, critical path '
                   f'{fnum(run.get("critical_path_ms"))} ms, bound {fnum(run.get("bound_ms"))} ms, wall '
                   f'{fnum(run.get("wall_ms"))} ms.</p>')
        out.append(timeline_chart(tr))
    else:
        out.append(f"<p>(no timeline{': ' + esc(tr['error']) if tr and tr.get('error') else ''})</p>")
    for tid, title, caption, header, rows in tables:
        out.append(f'<h2 id="{tid}">{esc(title)}</h2><p class="cap">{esc(caption)}</p>')
        out.append(html_table(header, rows, "l2" if header[1] == "configuration" else "") if rows
                   else "<p>(no data)</p>")
    out.append("</body></html>")
    return "\n".join(out)


def screenshot(html_path, png_path):
    exe = next((shutil.which(c) for c in ("chromium", "chromium-browser", "google-chrome") if shutil.which(c)), None)
    if not exe:
        return None, "chromium is not installed: no screenshot"
    profile = tempfile.mkdtemp(prefix="report-chromium-")
    try:
        if os.path.exists(png_path):
            os.unlink(png_path)
        cmd = [exe, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", f"--user-data-dir={profile}",
               f"--screenshot={png_path}", "--window-size=1400,2400", "file://" + os.path.abspath(html_path)]
        rc, _, err = run_capture(cmd, 120)
        if rc != 0 or not os.path.exists(png_path) or os.path.getsize(png_path) == 0:
            return None, f"chromium screenshot failed (exit {rc}): {err.strip()[-300:]}"
        return png_path, None
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class _Checker(html.parser.HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source", "track",
            "embed", "param"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.svgs = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.svgs += tag == "svg"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.svgs += tag == "svg"

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()


def check_outputs(out):
    problems = []
    md, page = os.path.join(out, "report.md"), os.path.join(out, "report.html")
    for p in (md, page):
        if not os.path.isfile(p) or os.path.getsize(p) == 0:
            problems.append(f"{p} missing or empty")
    if not problems:
        text = open(page, encoding="utf-8").read()
        c = _Checker()
        c.feed(text)
        c.close()
        if c.errors or c.stack:
            problems.append(f"html tags unbalanced: {(c.errors + c.stack)[:5]}")
        if "<svg" not in text or c.svgs == 0:
            problems.append("html has no <svg>")
        for bad in ("<script", "src=\"http", "href=\"http", "@import", "url("):
            if bad in text:
                problems.append(f"html is not self-contained ({bad})")
        mdt = open(md, encoding="utf-8").read()
        for t in ("Table 3", "Table 4", "Table 5", "Table 7"):
            if t not in mdt:
                problems.append(f"report.md lacks {t}")
    return problems


def write_report(data, out, want_png):
    os.makedirs(out, exist_ok=True)
    tables = build_tables(data)
    png = "report.png" if want_png else None
    md_text = render_md(data, tables, None)
    page = os.path.join(out, "report.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(render_html(data, tables, md_text))
    shot_note = None
    if want_png:
        got, shot_note = screenshot(page, os.path.join(out, "report.png"))
        png = "report.png" if got else None
    if shot_note:
        data["meta"].setdefault("notes", []).append(shot_note)
        log(shot_note)
    md_text = render_md(data, tables, png)
    with open(os.path.join(out, "report.md"), "w", encoding="utf-8") as f:
        f.write(md_text + "\n")
    return png


def main(argv=None):
    argv = sys.argv if argv is None else argv
    ap = argparse.ArgumentParser(description="Run the benchmark suite and write the paper's tables "
                                             "(report.md, report.html, report.png, results.json).")
    ap.add_argument("--models", help="comma-separated model names (default: every model of "
                                     "scripts/model_manifest.json that exists under models/)")
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "models"))
    ap.add_argument("--parallax", default=os.path.join(ROOT, "build", "parallax"))
    ap.add_argument("--rounds", type=positive_int, default=3)
    ap.add_argument("--runs", type=positive_int, default=20)
    ap.add_argument("--warmup", type=nonneg_int, default=17)
    ap.add_argument("--px", type=config_list, default=DEFAULT_PX, help="parallax MODE:THREADS list")
    ap.add_argument("--ort", type=config_list, default=DEFAULT_ORT, help="ORT MODE:THREADS list ('none': no ORT)")
    ap.add_argument("--trace-model", help="model whose dataflow run is drawn (default googlenet, else the first; "
                                          "'none': no timeline)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "report"))
    ap.add_argument("--from-json", metavar="FILE", help="re-render a saved results.json; runs nothing")
    ap.add_argument("--no-bench", action="store_true", help="structure and memory plans only (no latency runs)")
    ap.add_argument("--no-screenshot", action="store_true")
    ap.add_argument("--check", action="store_true", help="verify the written md/html; exit 1 if they are bad")
    args = ap.parse_args(argv[1:])

    if args.from_json:
        try:
            with open(args.from_json) as f:
                data = json.load(f)
            if data.get("format") != FORMAT:
                ap.error(f"{args.from_json} is not a {FORMAT} results file")
        except (OSError, ValueError) as e:
            ap.error(f"--from-json: {e}")
    else:
        if not os.access(args.parallax, os.X_OK):
            ap.error(f"{args.parallax} is not built (cmake --build build --target parallax_cli)")
        data = collect(args, argv)
    os.makedirs(args.out, exist_ok=True)
    results = os.path.join(args.out, "results.json")
    if not args.from_json or os.path.abspath(args.from_json) != os.path.abspath(results):
        with open(results, "w") as f:
            json.dump(data, f, indent=1)
    png = write_report(data, args.out, not args.no_screenshot)
    log(f"wrote {os.path.join(args.out, 'report.md')}, report.html, results.json" + (", report.png" if png else ""))
    if args.check:
        problems = check_outputs(args.out)
        for p in problems:
            log("check failed: " + p)
        if problems:
            return 1
        log("check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
