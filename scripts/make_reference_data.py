#!/usr/bin/python3
"""Generate conformance data for the models made by make_models.py.

    /usr/bin/python3 scripts/make_reference_data.py [--models models]
        [--only a,b] [--force] [--jobs 2] [--threads 1] [--node node]

For every <models>/<name>.onnx this writes the layout of the ONNX backend
test data:

    <models>/<name>/model.onnx                    symlink to ../<name>.onnx
    <models>/<name>/test_data_set_<k>/input_<i>.pb    fixed, seeded inputs
    <models>/<name>/test_data_set_<k>/output_<i>.pb   ONNX Runtime's outputs

Inputs are written with onnx.numpy_helper (name = the model's input name);
outputs come from reference/ort_run.js (onnxruntime-node, graph optimisation
'all', sequential, 1 intra-op thread by default). Every output is checked
(no NaN/Inf, not all zero, the detector finds boxes) and summarised.

A model whose data is newer than its .onnx file (and than this script and
the reference/*.js it uses) is skipped unless --force.

Special cases:
  ppocr_det      synthetic text pages, set 0: 1x3x640x640, set 1: 1x3x480x736
  ppocr_rec      a synthetic text line, 1x3x48x320
  silero_vad_v5  20 consecutive 512-sample chunks (sets 0..19) of a
                 deterministic 16 kHz signal; the state input of chunk k is
                 ONNX Runtime's stateN output of chunk k-1 (zeros for k = 0)
  models of make_paper_models.py: inputs as scripts/model_manifest.json says
                 (token ids within the vocabulary, CLIP's end-of-text token,
                 a padding mask, ...)
"""

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import time
import zlib

import numpy as np
import onnx
from onnx import numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_RUN = os.path.join(REPO, "reference", "ort_run.js")
MANIFEST = os.path.join(REPO, "scripts", "model_manifest.json")

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1)

# Models whose image input is ImageNet-normalised.
IMAGENET_MODELS = {"mobilenet_v2", "resnet18", "googlenet", "inception_v3", "swin_v2_t"}

SILERO_CHUNKS = 20
SILERO_CHUNK = 512
SILERO_SR = 16000


def rng_for(name, k):
    return np.random.default_rng(zlib.crc32(f"{name}/{k}".encode()))


def graph_inputs(model):
    inits = {i.name for i in model.graph.initializer}
    return [v for v in model.graph.input if v.name not in inits]


def static_shape(v, default=1):
    return tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else default
                 for d in v.type.tensor_type.shape.dim)


def np_dtype(v):
    et = v.type.tensor_type.elem_type
    if hasattr(onnx.helper, "tensor_dtype_to_np_dtype"):  # onnx >= 1.13
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(et))
    return np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[et])


def generic_inputs(name, model, k):
    """One data set for a model without a special case: image-like float
    inputs (ImageNet-normalised for the classifiers), zeros for integers."""
    rng = rng_for(name, k)
    feeds = []
    for v in graph_inputs(model):
        shape = static_shape(v)
        dt = np_dtype(v)
        if dt.kind == "f":
            x = rng.random(shape, dtype=np.float32)
            if name in IMAGENET_MODELS and len(shape) == 4 and shape[1] == 3:
                x = (x - IMAGENET_MEAN) / IMAGENET_STD
            x = x.astype(dt)
        elif dt == np.bool_:
            x = rng.random(shape) < 0.5
        else:
            x = np.zeros(shape, dt)
        feeds.append(x)
    return feeds


def manifest_entry(name):
    """The manifest's entry for a model of make_paper_models.py, else None."""
    with open(MANIFEST) as f:
        entry = json.load(f)["models"].get(name)
    return entry if entry and entry["script"] == "scripts/make_paper_models.py" else None


def manifest_inputs(name, entry, k):
    """One data set made as the manifest's `values` of each input say."""
    rng = rng_for(name, k)
    feeds = []
    for spec in entry["inputs"]:
        shape, dt, v = tuple(spec["shape"]), np.dtype(spec["dtype"]), spec["values"]
        kind = v["kind"]
        if kind == "uniform":
            x = rng.uniform(v["low"], v["high"], shape)
        elif kind == "normal":
            x = rng.normal(v["mean"], v["std"], shape)
        elif kind == "token_ids":
            x = rng.integers(v["low"], v["high"], shape)
        elif kind == "clip_tokens":
            # <sot> text <eot> then padding; the model pools at argmax = eot
            x = np.full(shape, v["pad"])
            n = v["text_len"]
            x[..., 0] = v["sot"]
            x[..., 1:n + 1] = rng.integers(0, v["sot"], shape[:-1] + (n,))
            x[..., n + 1] = v["eot"]
        elif kind == "mask":
            x = np.zeros(shape)
            x[..., :v["valid"]] = 1
        else:
            raise ValueError(f"{name}: input {spec['name']}: no generator for values {kind!r}")
        feeds.append(x.astype(dt))
    return feeds


def text_image(rng, h, w, lines=None):
    """Synthetic grey 'document' in [0, 1], 1x3xHxW: light noisy paper with
    rows of dark glyph-like stroke clusters grouped into words, so that the
    OCR detector sees text-like regions (random noise gives an all-zero
    probability map). `lines` = [(y, height), ...]; default: random rows."""
    img = np.full((h, w), 0.92) + 0.03 * rng.standard_normal((h, w))
    if lines is None:
        lines = []
        y = int(rng.integers(4, 20))
        while True:
            lh = int(rng.integers(14, 32))
            if y + lh > h - 4:
                break
            lines.append((y, lh))
            y += lh + int(rng.integers(lh // 2, 2 * lh))
    for y, lh in lines:
        x = int(rng.integers(4, 40))
        t = max(1, lh // 8)
        while x < w - 20:
            for _ in range(int(rng.integers(3, 12))):  # characters in a word
                cw = int(lh * rng.uniform(0.6, 1.0))
                if x + cw > w - 4:
                    break
                glyph = np.zeros((lh, cw), bool)
                for _ in range(int(rng.integers(2, 5))):  # strokes
                    if rng.random() < 0.5:
                        cx = int(rng.integers(0, max(1, cw - t)))
                        y0, y1 = sorted(rng.integers(0, lh, 2))
                        glyph[y0:y1 + t, cx:cx + t] = True
                    else:
                        cy = int(rng.integers(0, max(1, lh - t)))
                        x0, x1 = sorted(rng.integers(0, cw, 2))
                        glyph[cy:cy + t, x0:x1 + t] = True
                img[y:y + lh, x:x + cw][glyph] = 0.1 + 0.05 * rng.random()
                x += cw + max(1, lh // 10)
            x += int(lh * rng.uniform(0.8, 2.0))
    rgb = np.stack([img, img * 0.97, img * 0.95])[None]
    return np.clip(rgb, 0, 1).astype(np.float32)


def ppocr_inputs(name, model, k):
    """PaddleOCR preprocessing: det = ImageNet mean/std, rec = (x - 0.5) / 0.5."""
    rng = rng_for(name, k)
    if name == "ppocr_det":
        h, w = [(640, 640), (480, 736)][k]
        x = (text_image(rng, h, w) - IMAGENET_MEAN) / IMAGENET_STD
    else:
        x = (text_image(rng, 48, 320, lines=[(8, 32)]) - 0.5) / 0.5
    return [x.astype(np.float32)]


def silero_signal():
    """Deterministic 16 kHz test signal: quiet noise, then a 150 Hz -> 3 kHz
    log sweep with harmonics and an amplitude envelope, then noise again."""
    n = SILERO_CHUNKS * SILERO_CHUNK
    t = np.arange(n, dtype=np.float64) / SILERO_SR
    f0, f1, dur = 150.0, 3000.0, n / SILERO_SR
    phase = 2 * np.pi * f0 * dur / np.log(f1 / f0) * (np.exp(t / dur * np.log(f1 / f0)) - 1)
    tone = np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.25 * np.sin(3 * phase)
    env = np.clip((t - 0.1) / 0.05, 0, 1) * np.clip((0.55 - t) / 0.05, 0, 1)
    rng = np.random.default_rng(zlib.crc32(b"silero_vad_v5/signal"))
    x = 0.4 * env * tone + 0.01 * rng.standard_normal(n)
    return x.astype(np.float32)


# ---------------------------------------------------------------------------


def load_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def write_inputs(set_dir, model, arrays):
    os.makedirs(set_dir, exist_ok=True)
    for i, (v, a) in enumerate(zip(graph_inputs(model), arrays)):
        t = numpy_helper.from_array(np.asarray(a), name=v.name)
        with open(os.path.join(set_dir, f"input_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())


def run_ort(args, model_path, set_dir):
    cmd = [args.node, ORT_RUN, model_path, set_dir, set_dir, "--threads", str(args.threads)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    outs = []
    i = 0
    while os.path.exists(os.path.join(set_dir, f"output_{i}.pb")):
        outs.append(load_tensor(os.path.join(set_dir, f"output_{i}.pb")))
        i += 1
    return outs


def check_outputs(name, k, outs):
    """Sanity checks; returns (summary lines, problems)."""
    lines, problems = [], []
    for oname, a in outs:
        desc = f"  set {k} {oname}: {a.dtype}{list(a.shape)}"
        if a.size and a.dtype.kind in "fiub":
            af = a.astype(np.float64)
            desc += (f" min {af.min():.4g} max {af.max():.4g} mean {af.mean():.4g} "
                     f"std {af.std():.4g}")
            if a.dtype.kind == "f" and not np.isfinite(af).all():
                problems.append(f"{name} set {k} {oname}: NaN/Inf")
            if not np.any(af):
                problems.append(f"{name} set {k} {oname}: all zero")
        elif a.size == 0:
            desc += " (empty)"
            problems.append(f"{name} set {k} {oname}: empty")
        lines.append(desc)
    if name.startswith("ssdlite") and outs:
        boxes = outs[0][1]
        lines.append(f"  set {k}: {boxes.shape[0]} detections")
        if boxes.shape[0] == 0:
            problems.append(f"{name}: no detections")
    return lines, problems


def up_to_date(model_path, mdir):
    """Data is current if its marker is newer than the model and than the
    generating scripts."""
    marker = os.path.join(mdir, ".complete")
    if not (os.path.exists(marker) and os.path.exists(os.path.join(mdir, "model.onnx"))):
        return False
    deps = [model_path, os.path.abspath(__file__), ORT_RUN,
            os.path.join(REPO, "reference", "tensor_proto.js")]
    if manifest_entry(os.path.basename(mdir)):
        deps.append(MANIFEST)
    return os.path.getmtime(marker) >= max(os.path.getmtime(d) for d in deps)


def make_one(args, name):
    t0 = time.time()
    model_path = os.path.join(args.models, name + ".onnx")
    mdir = os.path.join(args.models, name)
    if not args.force and up_to_date(model_path, mdir):
        return name, [f"{name}: up to date, skipped"], [], 0.0

    if os.path.isdir(mdir):
        shutil.rmtree(mdir)
    os.makedirs(mdir)
    os.symlink(os.path.join("..", name + ".onnx"), os.path.join(mdir, "model.onnx"))
    model = onnx.load(model_path, load_external_data=False)

    lines = [f"{name}:"]
    problems = []
    if name == "silero_vad_v5":
        ins = [v.name for v in graph_inputs(model)]
        outs_names = [o.name for o in model.graph.output]
        assert ins == ["input", "state", "sr"], ins
        signal = silero_signal()
        state = np.zeros((2, 1, 128), np.float32)
        probs = []
        for k in range(SILERO_CHUNKS):
            set_dir = os.path.join(mdir, f"test_data_set_{k}")
            chunk = signal[k * SILERO_CHUNK:(k + 1) * SILERO_CHUNK].reshape(1, SILERO_CHUNK)
            write_inputs(set_dir, model, [chunk, state, np.array(SILERO_SR, np.int64)])
            outs = run_ort(args, model_path, set_dir)
            got = dict(outs)
            state = got[outs_names[1]]
            probs.append(float(got[outs_names[0]].reshape(-1)[0]))
            l, p = check_outputs(name, k, outs)
            problems += [x for x in p if "all zero" not in x]  # silence may give ~0
            if k in (0, SILERO_CHUNKS - 1):
                lines += l
        lines.append("  speech probability per chunk: " + " ".join(f"{p:.3f}" for p in probs))
        if max(probs) - min(probs) < 1e-3:
            problems.append(f"{name}: speech probability does not vary over the signal")
    else:
        if name in ("ppocr_det", "ppocr_rec"):
            sets = [ppocr_inputs(name, model, k) for k in range(2 if name == "ppocr_det" else 1)]
        elif manifest_entry(name):
            sets = [manifest_inputs(name, manifest_entry(name), 0)]
        else:
            sets = [generic_inputs(name, model, 0)]
        for k, arrays in enumerate(sets):
            set_dir = os.path.join(mdir, f"test_data_set_{k}")
            write_inputs(set_dir, model, arrays)
            for (v, a) in zip(graph_inputs(model), arrays):
                lines.append(f"  set {k} input {v.name}: {a.dtype}{list(np.shape(a))}")
            outs = run_ort(args, model_path, set_dir)
            l, p = check_outputs(name, k, outs)
            lines += l
            problems += p
    if not problems:
        open(os.path.join(mdir, ".complete"), "w").close()
    dt = time.time() - t0
    lines[0] = f"{name}: {dt:.1f}s"
    return name, lines, problems, dt


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=os.path.join(REPO, "models"))
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--force", action="store_true", help="regenerate up-to-date data")
    ap.add_argument("--jobs", type=int, default=2, help="models processed in parallel")
    ap.add_argument("--threads", type=int, default=1, help="ORT intra-op threads")
    ap.add_argument("--node", default=shutil.which("node") or "node")
    args = ap.parse_args()

    if not os.path.isdir(args.models):
        ap.error(f"{args.models}: no such directory (run scripts/make_models.py first)")
    names = sorted(f[:-5] for f in os.listdir(args.models)
                   if f.endswith(".onnx") and os.path.isfile(os.path.join(args.models, f)))
    if args.only:
        want = [n.strip() for n in args.only.split(",") if n.strip()]
        missing = [n for n in want if n not in names]
        if missing:
            ap.error(f"no model file for {missing} in {args.models}")
        names = want
    if not os.path.exists(os.path.join(REPO, "reference", "node_modules", "onnxruntime-node")):
        sys.exit("reference/node_modules/onnxruntime-node missing: "
                 "run `npm install --ignore-scripts` in reference/")

    t0 = time.time()
    all_problems = []
    failed = []
    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = {ex.submit(make_one, args, n): n for n in names}
        for fut in cf.as_completed(futs):
            n = futs[fut]
            try:
                _, lines, problems, _ = fut.result()
            except Exception as e:
                failed.append(n)
                print(f"{n}: FAILED: {e}", flush=True)
                continue
            print("\n".join(lines), flush=True)
            all_problems += problems
    print(f"total {time.time() - t0:.1f}s", flush=True)
    for p in all_problems:
        print(f"PROBLEM {p}", flush=True)
    if failed or all_problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
