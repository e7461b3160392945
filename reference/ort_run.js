#!/usr/bin/env node
'use strict';
// Run a model once with ONNX Runtime on TensorProto inputs and write the
// outputs as TensorProtos (the layout of the ONNX backend test data).
//
//   node reference/ort_run.js MODEL INPUT_DIR OUTPUT_DIR [--threads N] [--opt LEVEL]
//
// INPUT_DIR/input_<i>.pb is fed to the model's i-th input (by position; the
// tensor's name field may be empty). OUTPUT_DIR/output_<i>.pb receives the
// i-th model output, with its name set. Session options: graph optimisation
// 'all' (--opt disabled|basic|extended|all), sequential execution, intra-op
// threads N (default 1). Running with 'disabled' as well measures how far
// ORT's own graph rewrites move the outputs: a fair tolerance.

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const tp = require('./tensor_proto');

function usage(msg) {
  if (msg) console.error(`ort_run: ${msg}`);
  console.error('usage: node ort_run.js MODEL INPUT_DIR OUTPUT_DIR [--threads N] [--opt LEVEL]');
  process.exit(2);
}

function parseArgs(argv) {
  const pos = [];
  let threads = 1;
  let opt = 'all';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--threads') {
      threads = Number(argv[++i]);
      if (!Number.isInteger(threads) || threads < 1) usage('--threads needs a positive integer');
    } else if (a === '--opt') {
      opt = argv[++i];
      if (!['disabled', 'basic', 'extended', 'all'].includes(opt)) usage('--opt needs disabled, basic, extended or all');
    } else if (a === '-h' || a === '--help') {
      usage();
    } else if (a.startsWith('--')) {
      usage(`unknown option ${a}`);
    } else {
      pos.push(a);
    }
  }
  if (pos.length !== 3) usage();
  return { model: pos[0], inDir: pos[1], outDir: pos[2], threads, opt };
}

// input_<i>.pb files of a directory, ordered by i.
function listIndexed(dir, prefix) {
  const re = new RegExp(`^${prefix}_(\\d+)\\.pb$`);
  return fs.readdirSync(dir)
    .map((f) => [f, re.exec(f)])
    .filter(([, m]) => m)
    .map(([f, m]) => [Number(m[1]), path.join(dir, f)])
    .sort((a, b) => a[0] - b[0]);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(args.model, {
    graphOptimizationLevel: args.opt,
    executionMode: 'sequential',
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
  });

  const files = listIndexed(args.inDir, 'input');
  files.forEach(([idx], k) => {
    if (idx !== k) usage(`${args.inDir}: input files must be numbered 0..n-1 (missing input_${k}.pb)`);
  });
  if (files.length > session.inputNames.length) {
    usage(`${files.length} input files but the model has ${session.inputNames.length} inputs`);
  }
  if (files.length < session.inputNames.length) {
    console.error(`ort_run: warning: ${files.length} input files for ${session.inputNames.length} inputs; ` +
      `unfed: ${session.inputNames.slice(files.length).join(', ')}`);
  }

  const feeds = {};
  files.forEach(([, file], k) => {
    const t = tp.readTensor(file);
    const name = session.inputNames[k];
    if (t.name && t.name !== name) {
      console.error(`ort_run: warning: ${path.basename(file)} is named '${t.name}', fed to input ${k} '${name}'`);
    }
    feeds[name] = tp.toOrt(ort, t);
  });

  const results = await session.run(feeds);
  fs.mkdirSync(args.outDir, { recursive: true });
  session.outputNames.forEach((name, i) => {
    tp.writeTensor(path.join(args.outDir, `output_${i}.pb`), tp.fromOrt(name, results[name]));
  });
  await session.release();
}

main().catch((e) => {
  console.error(`ort_run: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
