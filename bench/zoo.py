#!/usr/bin/python3
"""Parallax against ONNX Runtime over the model zoo (scripts/make_zoo.py).

  /usr/bin/python3 bench/zoo.py [--models a,b] [--threads 1,2] [--load quiet,busy]
      [--rounds 3] [--runs 20] [--warmup 5] [--out docs/report/zoo]
  /usr/bin/python3 bench/zoo.py --check [--models a,b] [--rtol 1e-3] [--atol 1e-4] [--torch-ref]
  /usr/bin/python3 bench/zoo.py --from-json docs/report/zoo.json --out /tmp/zoo   # re-render only

Inputs: per model one seeded data set made from scripts/zoo_manifest.json
(make_zoo.make_inputs; written with make_reference_data.write_inputs) into
models/zoo/<name>/test_data_set_0/input_<i>.pb, remade when the model or its
input spec changes. Both runtimes read the same files.

Benchmark: per load condition (quiet; busy = one `taskset -c 1 python3 -c
'while True: pass'` spinning on one of the cores for the whole condition),
per model and thread count, ROUNDS rounds, each running
  build/parallax bench MODEL --inputs DIR --threads N --warmup W --runs R --json
  node reference/ort_bench.js MODEL --inputs DIR --threads N --warmup W --runs R --json
one after the other (the order alternates between rounds). Reported per
model and condition: the median over rounds of each run's median latency,
the ratio parallax / ORT (< 1: parallax faster), the geometric mean of the
ratios per condition. For the models that lose most (ratio > --lose-ratio at
2 threads, quiet) the time per op type: `parallax bench --profile` against
ONNX Runtime's profiler (bench/ort_profile.js), both at 2 threads, quiet,
with op types reduced to the base op of a fusion or layout variant (parallax
Conv+Relu / NhwcConv, ORT FusedConv -> Conv; MatMul and Gemm together).
Parallax's profile runs the schedule its benchmark settled on (mode and
threads of the last run) held fixed, twice (R and 3R runs), differenced, so
that warm-up and the adaptive schedule's trials are left out.

Writes OUT.md (tables), OUT.html (self-contained, SVG chart of the ratios)
and OUT.json (everything; --from-json re-renders it).

--check: each model once through `build/parallax run --inputs DIR --outputs
D` and `node reference/ort_run.js MODEL DIR D`; outputs compared by position
with |px - ort| <= atol + rtol |ort| (integers: equal). Detection outputs
have a data-dependent row count: a different count is reported as such and
the common rows compared; a detector passes as "near" when the counts differ
by at most max(1, 2 %) rows and at most 2 % of the compared elements differ
(NMS ties and near-threshold scores; the suite's ssdlite test allows the
same); a detector whose rows all match once rows of near-equal score are
reordered is "near" too. --torch-ref: for a model that does not pass, PyTorch's
own outputs (make_zoo.eager) are compared with ORT's as well; when parallax
is no further from ORT than PyTorch is (max abs error within 2x), the status
is "numerical" (summation order, not a wrong result). Writes OUT_check.md /
OUT_check.json; exit status 1 when a model does not pass (match or near), 77
(CTest's skip) with --skip-missing when a named model, ONNX Runtime, numpy /
onnx or the parallax binary is missing.
"""
import argparse
import datetime
import json
import math
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import report as rep  # noqa: E402  html helpers, machine_info, run_capture, last_json_line

MANIFEST = os.path.join(ROOT, "scripts", "zoo_manifest.json")
ORT_BENCH = os.path.join(ROOT, "reference", "ort_bench.js")
ORT_RUN = os.path.join(ROOT, "reference", "ort_run.js")
ORT_PROFILE = os.path.join(ROOT, "bench", "ort_profile.js")
FORMAT = "parallax-zoo/1"
SKIP = 77
CMD_TIMEOUT = 900
COND_COLORS = {"quiet x1": "#9ecae1", "quiet x2": "#3182bd", "busy x1": "#fdae6b", "busy x2": "#e6550d"}
# ONNX Runtime's fused kernels, by the ONNX op they are built around.
# MatMul and Gemm are one bucket: the two runtimes map the same Linear layer
# to either (ORT fuses MatMul + Add into Gemm).
ORT_BASE_OP = {"FusedConv": "Conv", "FusedGemm": "MatMul/Gemm", "FusedMatMul": "MatMul/Gemm",
               "MatMul": "MatMul/Gemm", "Gemm": "MatMul/Gemm", "NhwcConv": "Conv",
               "QuickGelu": "Gelu", "BiasGelu": "Gelu", "FastGelu": "Gelu",
               "SkipLayerNormalization": "LayerNormalization",
               "SimplifiedLayerNormalization": "LayerNormalization"}


def log(*a):
    print("zoo:", *a, file=sys.stderr, flush=True)


def csv(v):
    return [x.strip() for x in v.split(",") if x.strip()]


def load_manifest():
    with open(MANIFEST) as f:
        return json.load(f)["models"]


# ----------------------------------------------------------------------------------------------- inputs

def inputs_dir(args, name):
    return os.path.join(args.zoo, name, "test_data_set_0")


def ensure_inputs(args, name, entry):
    """models/zoo/<name>/test_data_set_0/input_<i>.pb, remade when the model
    file is newer or the input spec changed (then ORT outputs there go too)."""
    import make_reference_data as mrd  # numpy, onnx
    import make_zoo
    import onnx

    d = inputs_dir(args, name)
    stamp = os.path.join(d, ".inputs")
    want = json.dumps(entry["inputs"], sort_keys=True)
    model = os.path.join(args.zoo, name + ".onnx")
    if (os.path.exists(stamp) and open(stamp).read() == want
            and os.path.getmtime(stamp) >= os.path.getmtime(model)):
        return d
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    link = os.path.join(args.zoo, name, "model.onnx")
    if not os.path.lexists(link):
        os.symlink(os.path.join("..", name + ".onnx"), link)
    arrays = make_zoo.make_inputs(name, entry)
    mrd.write_inputs(d, onnx.load(model, load_external_data=False), arrays)
    with open(stamp, "w") as f:
        f.write(want)
    return d


# ----------------------------------------------------------------------------------------------- check

def load_outputs(d):
    import make_reference_data as mrd
    outs, i = [], 0
    while os.path.exists(os.path.join(d, f"output_{i}.pb")):
        outs.append(mrd.load_tensor(os.path.join(d, f"output_{i}.pb")))
        i += 1
    return outs


def off_mask(a, b, rtol, atol):
    """Elements of a (parallax) not within tolerance of b (ORT): floats
    |a - b| <= atol + rtol |b| (equal NaN / Inf pass), others equal."""
    import numpy as np
    if b.dtype.kind not in "fc":
        return a != b
    af, bf = a.astype(np.float64), b.astype(np.float64)
    finite = np.isfinite(af) & np.isfinite(bf)
    same_nonfinite = (~finite) & ((af == bf) | (np.isnan(af) & np.isnan(bf)))
    return ~(same_nonfinite | (finite & (np.abs(af - bf) <= atol + rtol * np.abs(bf))))


def compare_arrays(px, ort, det, rtol, atol):
    import numpy as np
    recs = []
    for (pname, a), (oname, b) in zip(px, ort):
        r = {"output": oname or pname, "shape_px": list(a.shape), "shape_ort": list(b.shape),
             "dtype": str(b.dtype)}
        if a.dtype != b.dtype:
            r["problem"] = f"dtype {a.dtype} vs ORT {b.dtype}"
            recs.append(r)
            continue
        if a.shape != b.shape:
            if det and a.ndim == b.ndim and a.shape[1:] == b.shape[1:]:
                n, m = a.shape[0], b.shape[0]
                r["problem"] = f"{n} rows vs ORT {m}"
                r["count_diff"] = n - m
                k = min(n, m)
                a, b = a[:k], b[:k]
            else:
                r["problem"] = f"shape {list(a.shape)} vs ORT {list(b.shape)}"
                recs.append(r)
                continue
        r["elements"] = int(b.size)
        r["mismatched"] = int(off_mask(a, b, rtol, atol).sum()) if b.size else 0
        if b.size:
            af, bf = a.astype(np.float64), b.astype(np.float64)
            finite = np.isfinite(af) & np.isfinite(bf)
            d = np.where(finite, np.abs(af - bf), 0.0)
            r["max_abs_err"] = float(d.max())
            if b.dtype.kind in "fc":
                r["max_rel_err"] = float((d / np.maximum(np.abs(bf), atol)).max())
                r["ref_absmax"] = float(np.abs(np.where(finite, bf, 0)).max())
        recs.append(r)
    return recs


def reorder_rows(px, ort, rtol, atol, window=32):
    """Detections: the permutation of parallax's rows that matches ORT's row
    for row in every output (all with the same row count), looking within
    `window` positions (rows of near-equal score trade places); None if some
    ORT row has no match."""
    n = ort[0][1].shape[0]
    if any(a.shape != b.shape or b.ndim == 0 or b.shape[0] != n for (_, a), (_, b) in zip(px, ort)):
        return None
    used, perm = set(), []
    for i in range(n):
        cands = sorted((j for j in range(max(0, i - window), min(n, i + window + 1)) if j not in used),
                       key=lambda j: abs(i - j))
        hit = next((j for j in cands if all(not off_mask(a[j], b[i], rtol, atol).any()
                                            for (_, a), (_, b) in zip(px, ort))), None)
        if hit is None:
            return None
        used.add(hit)
        perm.append(hit)
    return perm


def compare(name, family, px, ort, rtol, atol):
    """Per-output comparison; returns (status, per-output records)."""
    det = family == "detection"
    if len(px) != len(ort):
        return "mismatch", [{"output": "-", "problem": f"{len(px)} outputs from parallax, {len(ort)} from ORT"}]
    recs = compare_arrays(px, ort, det, rtol, atol)
    if det and any(r.get("mismatched") or "problem" in r for r in recs):
        perm = reorder_rows(px, ort, rtol, atol)
        if perm is not None:
            moved = sum(j != i for i, j in enumerate(perm))
            recs = compare_arrays([(nm, a[perm]) for nm, a in px], ort, det, rtol, atol)
            for r in recs:
                r["rows_reordered"] = moved
            return "near", recs
    bad = near = 0
    for r in recs:
        if "mismatched" not in r:
            bad += 1
            continue
        frac = r["mismatched"] / max(r["elements"], 1)
        cdiff = abs(r.get("count_diff", 0))
        rows = max(r["shape_ort"][0] if r["shape_ort"] else 1, 1)
        if r["mismatched"] == 0 and cdiff == 0:
            continue
        if det and frac <= 0.02 and cdiff <= max(1, 0.02 * rows):
            near += 1
        else:
            bad += 1
    if bad:
        return "mismatch", recs
    return ("near" if near else "match"), recs


def check_model(args, name, entry):
    model = os.path.join(args.zoo, name + ".onnx")
    d = ensure_inputs(args, name, entry)
    pxd = os.path.join(args.zoo, name, "parallax_out")
    shutil.rmtree(pxd, ignore_errors=True)
    os.makedirs(pxd)
    for f in os.listdir(d):
        if f.startswith("output_"):
            os.unlink(os.path.join(d, f))
    rec = {"model": name, "family": entry["family"]}
    t0 = time.time()
    rc, _, err = rep.run_capture(["node", ORT_RUN, model, d, d], CMD_TIMEOUT)
    rec["ort_s"] = round(time.time() - t0, 2)
    if rc != 0:
        rec.update(status="ort error", error=err.strip()[-400:])
        return rec
    t0 = time.time()
    rc, _, err = rep.run_capture([args.parallax, "run", model, "--inputs", d, "--outputs", pxd], CMD_TIMEOUT)
    rec["parallax_s"] = round(time.time() - t0, 2)
    if rc != 0:
        rec.update(status="parallax error", error=err.strip()[-400:])
        return rec
    ort_outs = load_outputs(d)
    status, outs = compare(name, entry["family"], load_outputs(pxd), ort_outs, args.rtol, args.atol)
    rec.update(status=status, outputs=outs)
    if status == "mismatch" and args.torch_ref:
        torch_reference(args, rec, name, entry, ort_outs)
    return rec


def torch_reference(args, rec, name, entry, ort_outs):
    """PyTorch's own outputs (the model as exported, make_zoo.eager) against
    ORT's: when parallax differs from ORT by no more than PyTorch does (per
    output: max abs error within 2x PyTorch's, elements off the tolerance
    within 2x + 2), the difference is the float rounding of a different
    summation order, not a wrong result: status 'numerical'."""
    try:
        import make_zoo
        make_zoo.torch.set_num_threads(1)
        _, _, names, flat, _ = make_zoo.eager(name)
    except Exception as e:  # torch missing, model no longer builds: keep 'mismatch'
        rec["torch_ref"] = f"unavailable: {type(e).__name__}: {e}"
        return
    tstatus, touts = compare(name, entry["family"], [(n, t.numpy()) for n, t in zip(names, flat)], ort_outs,
                             args.rtol, args.atol)
    rec["torch_ref"] = {"status": tstatus, "outputs": touts}
    pairs = list(zip(rec["outputs"], touts))
    if pairs and all(
            "max_abs_err" in p and "max_abs_err" in t and p["max_abs_err"] <= 2 * t["max_abs_err"] + 1e-7
            and p.get("mismatched", 0) <= 2 * t.get("mismatched", 0) + 2
            for p, t in pairs):
        rec["status"] = "numerical"


def check_summary(rec):
    if "outputs" not in rec:
        return rec.get("error", "").strip().splitlines()[-1][:200] if rec.get("error") else ""
    parts = []
    for o in rec["outputs"]:
        s = o["output"]
        if "max_abs_err" in o:
            s += f": max abs err {o['max_abs_err']:.3g}"
            if o.get("ref_absmax"):
                s += f" ({o['max_abs_err'] / o['ref_absmax']:.2g} of max |ORT| {o['ref_absmax']:.3g})"
            if o.get("mismatched"):
                s += f", {o['mismatched']}/{o['elements']} off"
        if o.get("problem"):
            s += f" [{o['problem']}]"
        parts.append(s)
    tr = rec.get("torch_ref")
    if isinstance(tr, dict):
        parts.append("PyTorch vs ORT: " + ", ".join(
            f"{o['output']} max abs err {o.get('max_abs_err', float('nan')):.3g}"
            + (f", {o['mismatched']}/{o['elements']} off" if o.get("mismatched") else "")
            for o in tr["outputs"]))
    elif tr:
        parts.append(f"PyTorch reference {tr}")
    moved = rec["outputs"][0].get("rows_reordered") if rec["outputs"] else None
    if moved is not None:
        parts.append(f"all rows match after reordering ({moved} rows in another order: near-equal scores)")
    return "; ".join(parts)


def run_check(args, names, manifest):
    results = []
    for name in names:
        rec = check_model(args, name, manifest[name])
        results.append(rec)
        log(f"check {name}: {rec['status'].upper()}  {check_summary(rec)}")
    ok = [r for r in results if r["status"] in ("match", "near")]
    lines = ["# Zoo check: Parallax against ONNX Runtime", "",
             f"{datetime.datetime.now():%Y-%m-%d %H:%M}; tolerance |px - ort| <= {args.atol:g} + {args.rtol:g} |ort| "
             "(integers equal); detectors: 'near' = every row matches once rows of near-equal score are "
             "reordered, or row counts within max(1, 2 %) and <= 2 % of compared elements off.", "",
             f"**{len(ok)} of {len(results)} pass** ({sum(r['status'] == 'match' for r in results)} match, "
             f"{sum(r['status'] == 'near' for r in results)} near); "
             f"{sum(r['status'] == 'numerical' for r in results)} numerical (outside the tolerance, but no "
             "further from ORT than PyTorch's own outputs are: summation order; --torch-ref); "
             f"{sum(r['status'] not in ('match', 'near', 'numerical') for r in results)} fail.", "",
             "| model | family | status | outputs: max abs error (relative to the largest ORT value) |", "|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['model']} | {r['family']} | {r['status']} | {rep.md_escape(check_summary(r))} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out + "_check.md", "w") as f:
            f.write(text)
        with open(args.out + "_check.json", "w") as f:
            json.dump({"format": FORMAT + "-check", "rtol": args.rtol, "atol": args.atol, "results": results},
                      f, indent=1)
    return 0 if len(ok) == len(results) else 1


# ----------------------------------------------------------------------------------------------- bench

class BusyLoad:
    """One process spinning on one core (taskset -c CORE) while in the block."""

    def __init__(self, core, active):
        self.core, self.active, self.proc = core, active, None

    def __enter__(self):
        if self.active:
            self.proc = subprocess.Popen(["taskset", "-c", str(self.core), sys.executable, "-c", "while True: pass"],
                                         start_new_session=True)
            time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def bench_cmd(args, runtime, model, d, threads, profile=False, runs=None):
    common = ["--inputs", d, "--threads", str(threads), "--runs", str(runs or args.runs), "--json"]
    if args.warmup is not None:
        common += ["--warmup", str(args.warmup)]
    if runtime == "parallax":
        return [args.parallax, "bench", model] + common + (["--profile"] if profile else [])
    script = ORT_PROFILE if profile else ORT_BENCH
    return ["node", script, model] + common


def run_bench(cmd):
    rc, out, err = rep.run_capture(cmd, CMD_TIMEOUT)
    if rc != 0:
        raise RuntimeError(f"exit {rc}: {err.strip()[-300:]}")
    return rep.last_json_line(out), out


def parse_px_profile(text):
    """The table `parallax bench --profile` prints after its JSON line:
    op, calls/run, ms/run, share."""
    ops, started = {}, False
    for line in text.splitlines():
        parts = line.split()
        if parts[:2] == ["op", "calls/run"]:
            started = True
            continue
        if started and len(parts) == 4 and parts[3].endswith("%"):
            try:
                ops[parts[0]] = {"calls_per_run": float(parts[1]), "ms_per_run": float(parts[2])}
            except ValueError:
                pass
    return ops


def px_profile(args, model, d, ran):
    """Parallax's time per op type and counted run, with the schedule the
    benchmark's last run used (`ran`: mode and threads from its stats) held
    fixed, so that the adaptive schedule's trials and probes (other plans,
    other thread counts) stay out of it. `bench --profile` divides totals
    over warm-up + runs, and the first runs carry one-time costs, so it runs
    twice, with R and 3R counted runs, and the difference of the totals over
    2R is what one counted run costs."""
    mode, threads = ran.get("mode") or "dataflow", int(ran.get("threads") or 1)
    pin = ["--mode", mode] + (["--fixed-schedule"] if mode == "dataflow" else [])
    r1, r2 = args.runs, 3 * args.runs
    tot = []
    for r in (r1, r2):
        j, text = run_bench(bench_cmd(args, "parallax", model, d, threads, profile=True, runs=r) + pin)
        n = j.get("warmup", 0) + j.get("runs", r)
        tot.append({op: {k: v[k] * n for k in v} for op, v in parse_px_profile(text).items()})
    out = {}
    for op in set(tot[0]) | set(tot[1]):
        a, b = tot[0].get(op, {}), tot[1].get(op, {})
        out[op] = {k: max(b.get(k, 0.0) - a.get(k, 0.0), 0.0) / (r2 - r1) for k in ("ms_per_run", "calls_per_run")}
    return out


def base_op(op, runtime):
    """The ONNX op a kernel name stands for: parallax's fused activations
    (Conv+Relu) and channels-last kernels (NhwcConv), ORT's fused kernels
    (FusedConv) become Conv. Layout changes (parallax Transpose, ORT
    ReorderInput / ReorderOutput) keep their names."""
    if runtime == "parallax":
        op = op.split("+", 1)[0]
        op = op[4:] if op.startswith("Nhwc") and len(op) > 4 else op
        return "MatMul/Gemm" if op in ("MatMul", "Gemm") else op
    return ORT_BASE_OP.get(op, op)


def op_table(px_ops, ort_ops):
    agg = {}
    for runtime, ops in (("parallax", px_ops), ("ort", ort_ops)):
        for op, v in ops.items():
            a = agg.setdefault(base_op(op, runtime), {"parallax_ms": 0.0, "ort_ms": 0.0,
                                                      "parallax_ops": [], "ort_ops": []})
            a[runtime + "_ms"] += v["ms_per_run"]
            a[runtime + "_ops"].append(op)
    rows = [{"op": k, **v, "diff_ms": v["parallax_ms"] - v["ort_ms"]} for k, v in agg.items()]
    rows.sort(key=lambda r: -r["diff_ms"])
    return rows


def measure(args, names, manifest, argv):
    data = {"format": FORMAT, "meta": {
        "command": "/usr/bin/python3 " + " ".join(shlex.quote(a) for a in argv),
        "date": f"{datetime.datetime.now():%Y-%m-%d %H:%M}", "machine": rep.machine_info(),
        "ort_version": rep.ort_version(), "rounds": args.rounds, "runs": args.runs, "warmup": args.warmup,
        "threads": args.threads, "loads": args.load, "busy_core": args.busy_core,
        "lose_ratio": args.lose_ratio, "notes": []}, "models": {}}
    for name in names:
        data["models"][name] = {"family": manifest[name]["family"], "conditions": {}}
    dirs = {name: ensure_inputs(args, name, manifest[name]) for name in names}
    for load in args.load:
        with BusyLoad(args.busy_core, load == "busy"):
            for name in names:
                model = os.path.join(args.zoo, name + ".onnx")
                d = dirs[name]
                for t in args.threads:
                    key = f"{load} x{t}"
                    c = data["models"][name]["conditions"].setdefault(key, {"parallax": [], "ort": [], "errors": {}})
                    for r in range(args.rounds):
                        order = ("parallax", "ort") if r % 2 == 0 else ("ort", "parallax")
                        for runtime in order:
                            if runtime in c["errors"]:
                                continue
                            try:
                                j, _ = run_bench(bench_cmd(args, runtime, model, d, t))
                                rec = {k: j.get(k) for k in ("median_ms", "p90_ms", "min_ms", "cpu_ms_per_run",
                                                             "peak_rss_bytes")}
                                if isinstance(j.get("stats"), dict):  # parallax: what its last run was
                                    rec["ran"] = {"mode": j["stats"].get("mode"), "threads": j["stats"].get("threads"),
                                                  "note": j["stats"].get("note", "")}
                                c[runtime].append(rec)
                            except (RuntimeError, ValueError) as e:
                                c["errors"][runtime] = str(e)
                                log(f"{name} {key} {runtime}: {e}")
                    summarize(c)
                    log(f"{name} {key}: parallax {fmt(c.get('parallax_ms'))} ms, ORT {fmt(c.get('ort_ms'))} ms, "
                        f"ratio {fmt(c.get('ratio'))}")
    ref = profile_condition(args)
    if ref and not args.no_profile:
        profile_losers(args, names, data, *ref)
    return data


def profile_losers(args, names, data, load, t):
    """Per-op-type times of parallax and ORT for every model whose ratio in
    condition (load, t) is above --lose-ratio."""
    key = f"{load} x{t}"
    losers = [n for n in names if (data["models"][n]["conditions"].get(key, {}).get("ratio") or 0) > args.lose_ratio]
    with BusyLoad(args.busy_core, load == "busy"):
        for name in losers:
            model = os.path.join(args.zoo, name + ".onnx")
            d = inputs_dir(args, name)
            ran = next((r["ran"] for r in reversed(data["models"][name]["conditions"][key]["parallax"])
                        if r.get("ran")), {"mode": "dataflow", "threads": t})
            prof = {"condition": key, "parallax_schedule": f"{ran.get('mode')} x{ran.get('threads')}"}
            try:
                prof["parallax"] = px_profile(args, model, d, ran)
                j, _ = run_bench(bench_cmd(args, "ort", model, d, t, profile=True))
                prof["ort"] = j["ops"]
                prof["ops"] = op_table(prof["parallax"], prof["ort"])
            except (RuntimeError, ValueError, KeyError) as e:
                prof["error"] = str(e)
            data["models"][name]["profile"] = prof
            log(f"{name}: profiled ({prof.get('error', 'ok')})")


def profile_condition(args):
    """(load, threads) whose ratios pick the models to profile: 2 threads
    quiet if measured, else the most threads of the first load."""
    if "quiet" in args.load and 2 in args.threads:
        return "quiet", 2
    if not args.load or not args.threads:
        return None
    return ("quiet" if "quiet" in args.load else args.load[0]), max(args.threads)


def summarize(c):
    for rt in ("parallax", "ort"):
        rs = [r["median_ms"] for r in c[rt] if r.get("median_ms") is not None]
        if rs:
            c[rt + "_ms"] = statistics.median(rs)
            c[rt + "_spread"] = max(rs) / min(rs) if min(rs) > 0 else None
    if c.get("parallax_ms") and c.get("ort_ms"):
        c["ratio"] = c["parallax_ms"] / c["ort_ms"]


def fmt(x, d=2):
    if x is None:
        return "—"
    if isinstance(x, float):
        if abs(x) >= 100:
            return f"{x:.0f}"
        return f"{x:.{d}f}" if abs(x) >= 0.1 else f"{x:.3g}"
    return str(x)


def geomeans(data):
    out = {}
    for key in condition_keys(data):
        rs = [m["conditions"][key]["ratio"] for m in data["models"].values()
              if m["conditions"].get(key, {}).get("ratio")]
        if rs:
            out[key] = {"geomean": math.exp(sum(math.log(r) for r in rs) / len(rs)), "models": len(rs),
                        "faster": sum(r < 1 for r in rs)}
    return out


def condition_keys(data):
    keys = []
    for m in data["models"].values():
        for k in m["conditions"]:
            if k not in keys:
                keys.append(k)
    return keys


def check_status(data):
    """Results of an earlier --check (OUT_check.json), by model."""
    return {r["model"]: r for r in data.get("check", {}).get("results", [])}


# ----------------------------------------------------------------------------------------------- rendering

def render_md(data):
    meta, keys = data["meta"], condition_keys(data)
    gm = geomeans(data)
    checks = check_status(data)
    mach = meta["machine"]
    out = ["# Parallax against ONNX Runtime: the model zoo", "",
           f"Command: `{meta['command']}`  ", f"Date: {meta['date']}; machine: {mach['host']}, {mach['cores']} cores, "
           f"{mach['cpu_model']}; ONNX Runtime: onnxruntime-node {meta.get('ort_version') or 'not installed'}.  ",
           f"Protocol: per condition {meta['rounds']} rounds of {warm_text(meta)} warm-up + {meta['runs']} runs of "
           "`parallax bench` and `reference/ort_bench.js` (sequential executor, intra-op threads = N), the two "
           "alternating; latency = median over rounds of each round's median. Ratio = parallax / ORT (< 1: "
           f"parallax faster). busy = one process spinning on core {meta['busy_core']} for the whole condition.",
           "", "## Geometric mean of the ratios", "",
           "| condition | geomean parallax / ORT | models | parallax faster in |", "|---|---|---|---|"]
    for k in keys:
        if k in gm:
            out.append(f"| {k} | {gm[k]['geomean']:.3f} | {gm[k]['models']} | {gm[k]['faster']} |")
    out += ["", "## Latency per model (ms) and ratio", ""]
    head = ["model", "family"] + [f"{k}: {w}" for k in keys for w in ("parallax", "ORT", "ratio")]
    if checks:
        head.append("matches ORT")
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for name, m in sorted(data["models"].items(), key=lambda kv: sort_key(kv[1], keys)):
        row = [name, m["family"]]
        for k in keys:
            c = m["conditions"].get(k, {})
            err = c.get("errors", {})
            row += ["error" if "parallax" in err and "parallax_ms" not in c else fmt(c.get("parallax_ms")),
                    "error" if "ort" in err and "ort_ms" not in c else fmt(c.get("ort_ms")),
                    (f"**{c['ratio']:.2f}**" if c.get("ratio", 0) > meta["lose_ratio"] else f"{c['ratio']:.2f}")
                    if c.get("ratio") else "—"]
        if checks:
            row.append(checks.get(name, {}).get("status", "not checked"))
        out.append("| " + " | ".join(row) + " |")
    errs = [(n, k, rt, e) for n, m in data["models"].items() for k, c in m["conditions"].items()
            for rt, e in c.get("errors", {}).items()]
    prof = [(n, m["profile"]) for n, m in data["models"].items() if m.get("profile")]
    out += ["", f"## Op types where parallax loses most (models with ratio > {meta['lose_ratio']} at "
            f"{prof[0][1]['condition'] if prof else 'quiet x2'})", ""]
    if not prof:
        out.append("(none)")
    for n, p in prof:
        out += [f"### {n}", ""]
        if p.get("error"):
            out += [f"profile failed: {p['error']}", ""]
            continue
        tot_px = sum(r["parallax_ms"] for r in p["ops"])
        tot_ort = sum(r["ort_ms"] for r in p["ops"])
        out += [f"Sum of op times per run: parallax {tot_px:.2f} ms, ORT {tot_ort:.2f} ms per counted run "
                f"(parallax: `bench --profile` with the schedule its benchmark ran, {p.get('parallax_schedule')}, "
                "held fixed, warm-up differenced out; ORT: its own profiler via bench/ort_profile.js, median per "
                "op type). The op types that lose most first.", "",
                "| op type | parallax ms/run | ORT ms/run | parallax - ORT | parallax kernels | ORT kernels |",
                "|---|---|---|---|---|---|"]
        for r in p["ops"]:
            out.append(f"| {r['op']} | {r['parallax_ms']:.3f} | {r['ort_ms']:.3f} | {r['diff_ms']:+.3f} | "
                       f"{', '.join(r['parallax_ops'])} | {', '.join(r['ort_ops'])} |")
        out.append("")
    if errs or meta.get("notes"):
        out += ["", "## Notes", ""]
        out += [f"- {n}" for n in meta.get("notes", [])]
        out += [f"- {n} {k} {rt}: {rep.md_escape(e[-200:])}" for n, k, rt, e in errs]
    return "\n".join(out) + "\n"


def warm_text(meta):
    w = meta.get("warmup")
    return str(w) if w is not None else "the tool's default (parallax 17, ORT 5)"


def sort_key(m, keys):
    ref = "quiet x2" if "quiet x2" in keys else (keys[0] if keys else None)
    r = m["conditions"].get(ref, {}).get("ratio")
    return -(r if r is not None else -1)


def ratio_chart(data):
    """Grouped horizontal bars on a log axis centred at 1: one group per model
    (sorted by the quiet x2 ratio, worst first), one bar per condition."""
    keys = condition_keys(data)
    models = sorted(data["models"].items(), key=lambda kv: sort_key(kv[1], keys))
    if not models or not keys:
        return ""
    lo, hi = 1 / 8, 8.0
    ratios = [c["ratio"] for _, m in models for c in m["conditions"].values() if c.get("ratio")]
    if ratios:
        lo = max(1 / 8, min(0.5, 2 ** math.floor(math.log2(min(ratios)))))
        hi = min(8.0, max(2.0, 2 ** math.ceil(math.log2(max(ratios)))))
    W, L, R, T = 900, 260, 50, 40
    bh = 7
    gh = bh * len(keys) + 6
    H = T + gh * len(models) + 40
    x = lambda r: L + (math.log2(min(max(r, lo), hi)) - math.log2(lo)) / (math.log2(hi) - math.log2(lo)) * (W - L - R)
    s = [f'<svg class="wide" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
         '<text class="t" x="6" y="16">parallax / ONNX Runtime latency ratio (log scale; left of 1: parallax '
         'faster)</text>']
    k = lo
    while k <= hi * 1.0001:
        s.append(f'<line x1="{x(k):.1f}" x2="{x(k):.1f}" y1="{T - 6}" y2="{H - 34}" '
                 f'stroke="{"#555" if abs(k - 1) < 1e-9 else "#e5e5e5"}"/>'
                 f'<text x="{x(k):.1f}" y="{H - 20}" text-anchor="middle">{k:g}</text>')
        k *= 2
    for i, (name, m) in enumerate(models):
        y0 = T + i * gh
        s.append(f'<text x="{L - 6}" y="{y0 + gh / 2 + 1:.1f}" text-anchor="end" font-size="10">{rep.esc(name)}</text>')
        for j, key in enumerate(keys):
            c = m["conditions"].get(key, {})
            y = y0 + j * bh
            r = c.get("ratio")
            if r is None:
                s.append(f'<text x="{x(1) + 3:.1f}" y="{y + bh:.1f}" font-size="7" fill="#a33">error</text>')
                continue
            x1, x2 = sorted((x(1), x(r)))
            title = (f"{name}, {key}: parallax {fmt(c.get('parallax_ms'))} ms, ORT {fmt(c.get('ort_ms'))} ms, "
                     f"ratio {r:.3f}")
            s.append(f'<rect x="{x1:.1f}" y="{y:.1f}" width="{max(x2 - x1, 0.8):.1f}" height="{bh - 1}" '
                     f'fill="{COND_COLORS.get(key, "#999")}"><title>{rep.esc(title)}</title></rect>')
            if r > hi or r < lo:
                s.append(f'<text x="{(x2 + 2 if r > hi else x1 - 2):.1f}" y="{y + bh - 1:.1f}" font-size="7" '
                         f'text-anchor="{"start" if r > hi else "end"}">{r:.2g}</text>')
    s.append("</svg>")
    return "".join(s)


def render_html(data, md_text):
    meta, keys = data["meta"], condition_keys(data)
    gm = geomeans(data)
    checks = check_status(data)
    mach = meta["machine"]
    legend = '<div class="legend">' + "".join(
        f'<span style="background:{COND_COLORS.get(k, "#999")}"></span>{rep.esc(k)}' for k in keys) + "</div>"
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">', "<title>Parallax zoo report</title>",
           f"<style>{rep.CSS}</style></head><body>", "<h1>Parallax against ONNX Runtime: the model zoo</h1>",
           rep.html_table(None, [
               ["command", meta["command"]], ["date", meta["date"]],
               ["machine", f"{mach['host']}, {mach['cores']} cores, {mach['cpu_model']}"],
               ["ONNX Runtime", f"onnxruntime-node {meta.get('ort_version') or 'not installed'}"],
               ["protocol", f"{meta['rounds']} alternating rounds of {warm_text(meta)} warm-up + {meta['runs']} runs "
                            "per runtime and condition; median over rounds of the round medians; busy = one "
                            f"process spinning on core {meta['busy_core']}"]], "meta"),
           "<h2>Geometric mean of the ratios</h2>",
           rep.html_table(["condition", "geomean parallax / ORT", "models", "parallax faster in"],
                          [[k, f"{gm[k]['geomean']:.3f}", gm[k]["models"], gm[k]["faster"]] for k in keys if k in gm]),
           "<h2>Ratio per model</h2>", legend, ratio_chart(data)]
    head = ["model", "family"] + [f"{k}: {w}" for k in keys for w in ("parallax ms", "ORT ms", "ratio")]
    rows = []
    for name, m in sorted(data["models"].items(), key=lambda kv: sort_key(kv[1], keys)):
        row = [name, m["family"]]
        for k in keys:
            c = m["conditions"].get(k, {})
            row += [fmt(c.get("parallax_ms")), fmt(c.get("ort_ms")), f"{c['ratio']:.2f}" if c.get("ratio") else "—"]
        if checks:
            row.append(checks.get(name, {}).get("status", "not checked"))
        rows.append(row)
    out += ["<h2>Latency per model</h2>", rep.html_table(head + (["matches ORT"] if checks else []), rows, "l2")]
    prof = [(n, m["profile"]) for n, m in data["models"].items() if m.get("profile")]
    out.append(f"<h2>Op types where parallax loses most (ratio &gt; {meta['lose_ratio']})</h2>")
    if not prof:
        out.append("<p>(none)</p>")
    for n, p in prof:
        out.append(f"<h3>{rep.esc(n)}</h3>")
        if p.get("error"):
            out.append(f'<p class="note">profile failed: {rep.esc(p["error"])}</p>')
            continue
        out.append(rep.html_table(["op type", "parallax ms/run", "ORT ms/run", "parallax - ORT", "parallax kernels",
                                   "ORT kernels"],
                                  [[r["op"], f"{r['parallax_ms']:.3f}", f"{r['ort_ms']:.3f}", f"{r['diff_ms']:+.3f}",
                                    ", ".join(r["parallax_ops"]), ", ".join(r["ort_ops"])] for r in p["ops"]]))
    notes = md_text.split("## Notes", 1)
    if len(notes) == 2:
        items = [l[2:] for l in notes[1].splitlines() if l.startswith("- ")]
        out.append("<h2>Notes</h2><ul>" + "".join(f'<li class="note">{rep.esc(i)}</li>' for i in items) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out)


def verify_html(path):
    text = open(path, encoding="utf-8").read()
    c = rep._Checker()
    c.feed(text)
    c.close()
    problems = []
    if c.errors or c.stack:
        problems.append(f"html tags unbalanced: {(c.errors + c.stack)[:5]}")
    if c.svgs == 0:
        problems.append("html has no <svg>")
    return problems


def write_outputs(data, out):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    check = out + "_check.json"
    if os.path.exists(check) and "check" not in data:
        try:
            data["check"] = json.load(open(check))
        except ValueError:
            pass
    md_text = render_md(data)
    with open(out + ".md", "w", encoding="utf-8") as f:
        f.write(md_text)
    with open(out + ".html", "w", encoding="utf-8") as f:
        f.write(render_html(data, md_text))
    with open(out + ".json", "w") as f:
        json.dump(data, f, indent=1)
    return md_text


# ----------------------------------------------------------------------------------------------- main

def main(argv=None):
    argv = sys.argv if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="", help="comma-separated zoo models (default: every one exported)")
    ap.add_argument("--zoo", default=os.path.join(ROOT, "models", "zoo"))
    ap.add_argument("--parallax", default=os.path.join(ROOT, "build", "parallax"))
    ap.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    ap.add_argument("--load", default="quiet,busy", help="quiet and/or busy")
    ap.add_argument("--busy-core", type=int, default=1, help="core the busy load spins on")
    ap.add_argument("--rounds", type=rep.positive_int, default=3)
    ap.add_argument("--runs", type=rep.positive_int, default=20)
    ap.add_argument("--warmup", type=rep.nonneg_int, default=None,
                    help="warm-up runs for both (default: each tool's own: parallax 17 (its adaptive "
                         "schedule's first trial), ORT 5)")
    ap.add_argument("--lose-ratio", type=float, default=1.1, help="profile models slower than this ratio")
    ap.add_argument("--no-profile", action="store_true", help="skip the op-type profiles")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "report", "zoo"),
                    help="output prefix: OUT.md, OUT.html, OUT.json (--check: OUT_check.md/json)")
    ap.add_argument("--check", action="store_true", help="compare outputs with ORT instead of timing")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--torch-ref", action="store_true",
                    help="--check: for a mismatch, also compare PyTorch's outputs with ORT's (needs torch)")
    ap.add_argument("--skip-missing", action="store_true",
                    help=f"exit {SKIP} (CTest skip) when a named model or a tool is missing")
    ap.add_argument("--from-json", help="re-render OUT.md/html from this JSON only")
    args = ap.parse_args(argv[1:])

    if args.from_json:
        data = json.load(open(args.from_json))
        write_outputs(data, args.out)
        problems = verify_html(args.out + ".html")
        for p in problems:
            log(p)
        return 1 if problems else 0

    def missing(msg):
        log(msg)
        return SKIP if args.skip_missing else 2

    try:
        args.threads = sorted({int(t) for t in csv(args.threads)})
    except ValueError:
        ap.error("--threads wants integers, e.g. 1,2")
    if not args.threads or min(args.threads) < 1:
        ap.error("--threads wants integers >= 1")
    args.load = csv(args.load)
    if not args.load or any(l not in ("quiet", "busy") for l in args.load):
        ap.error("--load wants quiet and/or busy")
    manifest = load_manifest()
    if args.models:
        names = csv(args.models)
        unknown = [n for n in names if n not in manifest]
        if unknown:
            ap.error(f"not in {os.path.relpath(MANIFEST, ROOT)}: {unknown}")
        absent = [n for n in names if not os.path.exists(os.path.join(args.zoo, n + ".onnx"))]
        if absent:
            return missing(f"not exported (scripts/make_zoo.py --only {','.join(absent)}): {absent}")
    else:
        names = [n for n in manifest if os.path.exists(os.path.join(args.zoo, n + ".onnx"))]
        if not names:
            return missing(f"no zoo model in {args.zoo}: run /usr/bin/python3 scripts/make_zoo.py")
        absent = [n for n in manifest if n not in names]
        if absent:
            log(f"not exported, left out: {', '.join(absent)}")
    if not os.path.exists(args.parallax):
        return missing(f"{args.parallax} is not built")
    if not shutil.which("node") or not os.path.isdir(os.path.join(ROOT, "reference", "node_modules",
                                                                  "onnxruntime-node")):
        return missing("ONNX Runtime (node + reference/node_modules/onnxruntime-node) is not installed")
    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as e:
        return missing(f"{e}: run with /usr/bin/python3")

    if args.check:
        return run_check(args, names, manifest)

    if "busy" in args.load and not shutil.which("taskset"):
        ap.error("--load busy needs taskset (util-linux)")
    if "busy" in args.load and (os.cpu_count() or 1) <= args.busy_core:
        ap.error(f"--busy-core {args.busy_core}: this machine has {os.cpu_count()} cores")
    t0 = time.time()
    data = measure(args, names, manifest, argv)
    if not args.models:
        data["meta"]["notes"] += [f"{n}: not exported, not measured" for n in manifest if n not in names]
    data["meta"]["seconds"] = round(time.time() - t0, 1)
    md_text = write_outputs(data, args.out)
    print(md_text)
    problems = verify_html(args.out + ".html")
    for p in problems:
        log(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
