#!/usr/bin/env node
'use strict';
// ONNX Runtime's own profiler, summed per op type: the counterpart of
// `parallax bench --profile` for bench/zoo.py.
//
//   node bench/ort_profile.js MODEL --inputs DIR [--threads N] [--warmup 5] [--runs 20]
//        [--json] [--keep-trace FILE]
//
// Session options as reference/ort_bench.js (graph optimisation 'all',
// sequential executor, N intra-op threads) plus enableProfiling. ORT writes
// a Chrome-trace JSON (one "Node" event per kernel, "<node>_kernel_time",
// args.op_name = the op type after ORT's fusions, e.g. FusedConv); the
// trace is read back, the node events inside the last RUNS "model_run"
// events (the warm-up runs are left out) are summed per op type and run;
// reported is the median over the runs. Prints a table, or one JSON object with --json:
//   {model, threads, warmup, runs, run_ms_median (median model_run duration),
//    node_ms_per_run (all kernels), ops: {OP: {ms_per_run, calls_per_run}}},
//    each a median over the counted runs
// Profiling itself costs a little time per node, so the times here are for
// comparing op types, not for the headline latency (use ort_bench.js).

const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require(path.join(__dirname, '..', 'reference', 'node_modules', 'onnxruntime-node'));
const tp = require(path.join(__dirname, '..', 'reference', 'tensor_proto'));

function usage(msg) {
  if (msg) console.error(`ort_profile: ${msg}`);
  console.error('usage: node bench/ort_profile.js MODEL --inputs DIR [--threads N] [--warmup 5] [--runs 20] ' +
    '[--json] [--keep-trace FILE]');
  process.exit(2);
}

function parseArgs(argv) {
  const a = { threads: 1, warmup: 5, runs: 20, inputs: null, json: false, keep: null };
  const pos = [];
  const int = (v, name, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) usage(`${name} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => { if (i + 1 >= argv.length) usage(`${k} needs a value`); return argv[++i]; };
    switch (k) {
      case '--threads': a.threads = int(next(), k, 1); break;
      case '--warmup': a.warmup = int(next(), k, 0); break;
      case '--runs': a.runs = int(next(), k, 1); break;
      case '--inputs': a.inputs = next(); break;
      case '--keep-trace': a.keep = next(); break;
      case '--json': a.json = true; break;
      case '-h': case '--help': usage(); break;
      default:
        if (k.startsWith('--')) usage(`unknown option ${k}`);
        pos.push(k);
    }
  }
  if (pos.length !== 1 || !a.inputs) usage();
  a.model = pos[0];
  return a;
}

function median(v) {
  const s = [...v].sort((x, y) => x - y);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-'));
  const prefix = path.join(dir, 'ort');
  let traceFile = null;
  try {
    const session = await ort.InferenceSession.create(a.model, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: a.threads,
      interOpNumThreads: 1,
      enableProfiling: true,
      profileFilePrefix: prefix,
    });
    const feeds = {};
    session.inputNames.forEach((name, i) => {
      const file = path.join(a.inputs, `input_${i}.pb`);
      if (!fs.existsSync(file)) usage(`${file} missing (input '${name}')`);
      feeds[name] = tp.toOrt(ort, tp.readTensor(file));
    });
    for (let i = 0; i < a.warmup + a.runs; i++) await session.run(feeds);
    session.endProfiling();
    await session.release();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (files.length !== 1) throw new Error(`expected one profile in ${dir}, found ${files.length}`);
    traceFile = path.join(dir, files[0]);
    const events = JSON.parse(fs.readFileSync(traceFile, 'utf8'));
    const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((x, y) => x.ts - y.ts);
    if (runs.length < a.runs) throw new Error(`profile has ${runs.length} model_run events, want >= ${a.runs}`);
    const counted = runs.slice(runs.length - a.runs);
    // Per counted run: time and calls per op type. Reported: the median over
    // runs of each (a shared machine stalls a few runs by milliseconds, which
    // a sum would spread over every op).
    const perRun = counted.map(() => ({}));
    const totals = counted.map(() => 0);
    const t0 = counted[0].ts;
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < t0) continue;
      const k = counted.findIndex((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
      if (k < 0) continue;
      const op = (e.args && e.args.op_name) || '?';
      const o = perRun[k][op] || (perRun[k][op] = { us: 0, calls: 0 });
      o.us += e.dur;
      o.calls += 1;
      totals[k] += e.dur;
    }
    const ops = {};
    for (const op of new Set(perRun.flatMap((r) => Object.keys(r)))) {
      ops[op] = {
        ms_per_run: median(perRun.map((r) => (r[op] ? r[op].us : 0) / 1e3)),
        calls_per_run: median(perRun.map((r) => (r[op] ? r[op].calls : 0))),
      };
    }
    const nodeMs = median(totals.map((t) => t / 1e3));
    if (a.keep) fs.copyFileSync(traceFile, a.keep);
    const res = {
      model: path.resolve(a.model),
      runtime: 'onnxruntime-node',
      threads: a.threads,
      warmup: a.warmup,
      runs: a.runs,
      run_ms_median: median(counted.map((r) => r.dur / 1e3)),
      node_ms_per_run: nodeMs,
      ops,
    };
    if (a.json) {
      console.log(JSON.stringify(res));
    } else {
      console.log(`${path.basename(a.model)}  threads=${a.threads} runs=${a.runs} (warmup ${a.warmup}): ` +
        `model_run median ${res.run_ms_median.toFixed(3)} ms, kernels ${res.node_ms_per_run.toFixed(3)} ms/run`);
      console.log(`${'op'.padEnd(28)} ${'calls/run'.padStart(9)} ${'ms/run'.padStart(10)} ${'share'.padStart(7)}`);
      Object.entries(ops).sort((x, y) => y[1].ms_per_run - x[1].ms_per_run).forEach(([op, o]) => {
        console.log(`${op.padEnd(28)} ${o.calls_per_run.toFixed(1).padStart(9)} ${o.ms_per_run.toFixed(3).padStart(10)} ` +
          `${(100 * o.ms_per_run / res.node_ms_per_run).toFixed(1).padStart(6)}%`);
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`ort_profile: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
