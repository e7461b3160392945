#!/usr/bin/env node
'use strict';
// Time ONNX Runtime's session.run() on one model.
//
//   node reference/ort_bench.js MODEL [--threads N] [--mode sequential|parallel]
//        [--warmup 5] [--runs 20] [--inputs DIR] [--shape NAME=1x3x640x640]...
//        [--opt all|extended|basic|disabled] [--json]
//
// Inputs: DIR/input_<i>.pb fed by position (e.g. a test_data_set_0 made by
// scripts/make_reference_data.py); without --inputs, random inputs of the
// model's input shapes are made (floats ~U(0,1), integers 0, bool false;
// free dimensions = 1 unless given with --shape). Models that need meaningful
// integer inputs (silero_vad_v5's sample rate) want --inputs.
//
// Only the wall time of session.run() is measured (process.hrtime.bigint);
// prints min/median/p90/max/mean in ms, or one JSON object with --json.

const fs = require('fs');
const path = require('path');
const os = require('os');
const ort = require('onnxruntime-node');
const tp = require('./tensor_proto');

function usage(msg) {
  if (msg) console.error(`ort_bench: ${msg}`);
  console.error('usage: node ort_bench.js MODEL [--threads N] [--mode sequential|parallel] ' +
    '[--warmup 5] [--runs 20] [--inputs DIR] [--shape NAME=AxBxC]... [--opt all] [--json]');
  process.exit(2);
}

function parseArgs(argv) {
  const a = { threads: 1, mode: 'sequential', warmup: 5, runs: 20, inputs: null, json: false, shapes: {}, opt: 'all' };
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
      case '--mode': a.mode = next(); if (!['sequential', 'parallel'].includes(a.mode)) usage('bad --mode'); break;
      case '--warmup': a.warmup = int(next(), k, 0); break;
      case '--runs': a.runs = int(next(), k, 1); break;
      case '--inputs': a.inputs = next(); break;
      case '--opt': a.opt = next(); if (!['all', 'extended', 'basic', 'disabled'].includes(a.opt)) usage('bad --opt'); break;
      case '--shape': {
        const m = /^(.+)=(\d+(?:x\d+)*)?$/.exec(next());
        if (!m) usage('--shape wants NAME=AxBxC');
        a.shapes[m[1]] = m[2] ? m[2].split('x').map(Number) : [];
        break;
      }
      case '--json': a.json = true; break;
      case '-h': case '--help': usage(); break;
      default:
        if (k.startsWith('--')) usage(`unknown option ${k}`);
        pos.push(k);
    }
  }
  if (pos.length !== 1) usage();
  a.model = pos[0];
  return a;
}

function loadInputs(session, dir) {
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    const file = path.join(dir, `input_${i}.pb`);
    if (!fs.existsSync(file)) usage(`${file} missing (input '${name}')`);
    feeds[name] = tp.toOrt(ort, tp.readTensor(file));
  });
  return feeds;
}

// Small deterministic PRNG so random inputs are the same on every run.
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CTORS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array, float16: Uint16Array,
};

function randomInputs(session, shapes) {
  const rand = mulberry32(12345);
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    const meta = session.inputMetadata[i];
    if (meta && meta.isTensor === false) usage(`input '${name}' is not a tensor`);
    const type = meta.type;
    const dims = shapes[name] || meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const Ctor = CTORS[type];
    if (!Ctor) usage(`input '${name}': cannot make random '${type}' data; use --inputs`);
    const n = dims.reduce((p, d) => p * d, 1);
    const data = new Ctor(n);
    if (type === 'float32' || type === 'float64') for (let j = 0; j < n; j++) data[j] = rand();
    feeds[name] = new ort.Tensor(type, data, dims);
  });
  return feeds;
}

function percentile(sorted, p) {
  // nearest-rank
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

// VmHWM starts afresh at exec; resourceUsage().maxRSS carries the peak of
// the process that spawned this one (a Python driver) across fork and exec.
function peakRssBytes() {
  try {
    const m = /VmHWM:\s*(\d+)\s*kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch (e) { /* not Linux: fall back */ }
  return process.resourceUsage().maxRSS * 1024;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const opts = {
    graphOptimizationLevel: a.opt,
    executionMode: a.mode,
    intraOpNumThreads: a.threads,
    interOpNumThreads: a.mode === 'parallel' ? a.threads : 1,
  };
  const tLoad = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(a.model, opts);
  const loadMs = Number(process.hrtime.bigint() - tLoad) / 1e6;
  const feeds = a.inputs ? loadInputs(session, a.inputs) : randomInputs(session, a.shapes);

  for (let i = 0; i < a.warmup; i++) await session.run(feeds);
  const times = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < a.runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cpu = process.cpuUsage(cpu0);
  await session.release();

  const s = [...times].sort((x, y) => x - y);
  const res = {
    model: path.resolve(a.model),
    runtime: 'onnxruntime-node',
    ort_version: (ort.env && ort.env.versions && ort.env.versions.common) || require('onnxruntime-node/package.json').version,
    threads: a.threads,
    mode: a.mode,
    opt: a.opt,
    warmup: a.warmup,
    runs: a.runs,
    inputs: a.inputs ? path.resolve(a.inputs) : 'random',
    input_shapes: Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, Array.from(v.dims)])),
    load_ms: loadMs,
    min_ms: s[0],
    median_ms: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2,
    p90_ms: percentile(s, 90),
    max_ms: s[s.length - 1],
    mean_ms: times.reduce((p, x) => p + x, 0) / times.length,
    times_ms: times,
    // Process CPU time (all threads, user + system) over the counted runs.
    cpu_ms_per_run: (cpu.user + cpu.system) / 1000 / a.runs,
    peak_rss_bytes: peakRssBytes(),
    host: { cpus: os.cpus().length, cpu_model: (os.cpus()[0] || {}).model || '' },
  };
  if (a.json) {
    console.log(JSON.stringify(res));
  } else {
    const f = (x) => x.toFixed(3);
    console.log(`${path.basename(a.model)}  threads=${a.threads} mode=${a.mode} runs=${a.runs} (warmup ${a.warmup}) inputs=${res.inputs}`);
    console.log(`  min ${f(res.min_ms)} ms  median ${f(res.median_ms)} ms  p90 ${f(res.p90_ms)} ms  max ${f(res.max_ms)} ms  (mean ${f(res.mean_ms)} ms, load ${f(loadMs)} ms)`);
  }
}

main().catch((e) => {
  console.error(`ort_bench: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
