#!/usr/bin/env python3
"""The int8 models of the test suite, with ONNX Runtime's outputs.

  /usr/bin/python3 scripts/make_int8_suite.py OUT_DIR [--models a,b]

For each model (below) whose fp32 original is in models/, writes
OUT_DIR/<name>/model.onnx (make_int8_models.py: quantize_dynamic's or
quantize_static's layout), OUT_DIR/<name>/test_data_set_0/input_<i>.pb (the
fp32 model's inputs; static models are calibrated on them) and output_<i>.pb
from ORT 1.30 in Node (reference/ort_run.js, all graph optimisations).
Existing cases are kept, so reruns cost nothing. parallax_conformance then
compares Parallax against them (ctest int8_models).
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# name -> (fp32 model folder under models/, --dynamic or --static). A cheap
# subset: one transformer quantized dynamically, two CNNs and two
# transformers (QDQ MatMuls: graph/passes/fuse_qdq_matmul.cc) statically;
# tests/CMakeLists.txt tests the *_transformer_qdq cases and yolov8n (the
# paper's int8 detector) with their own tolerances.
MODELS = {
    "whisper_tiny_encoder_int8_dynamic": ("whisper_tiny_encoder", "--dynamic"),
    "resnet18_int8_qdq": ("resnet18", "--static"),
    "mobilenet_v2_int8_qdq": ("mobilenet_v2", "--static"),
    "distilbert_int8_transformer_qdq": ("distilbert", "--static"),
    "whisper_tiny_encoder_int8_transformer_qdq": ("whisper_tiny_encoder", "--static"),
    "yolov8n_int8_detector_qdq": ("yolov8n", "--static"),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--models", default=",".join(MODELS))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    try:
        import onnx  # noqa: F401  (make_int8_models.py needs it)
    except ImportError:
        print("no onnx Python package: int8 suite not made", file=sys.stderr)
        return 0
    if not shutil.which("node") or not os.path.isdir(os.path.join(ROOT, "reference", "node_modules")):
        print("no Node with reference/node_modules: int8 suite not made", file=sys.stderr)
        return 0
    for name in a.models.split(","):
        src, mode = MODELS[name]
        fp32 = os.path.join(ROOT, "models", src, "model.onnx")
        inputs = os.path.join(ROOT, "models", src, "test_data_set_0")
        case = os.path.join(a.out, name)
        data = os.path.join(case, "test_data_set_0")
        if not os.path.exists(fp32) or not os.path.isdir(inputs):
            print(f"{name}: models/{src} is missing, skipped", file=sys.stderr)
            continue
        if os.path.exists(os.path.join(data, "output_0.pb")):
            continue
        os.makedirs(data, exist_ok=True)
        model = os.path.join(case, "model.onnx")
        cmd = [sys.executable, os.path.join(ROOT, "scripts", "make_int8_models.py"), mode, fp32, model]
        if mode == "--static":
            cmd += ["--calib", inputs]
        subprocess.run(cmd, check=True)
        for f in os.listdir(inputs):
            if f.startswith("input_"):
                shutil.copy(os.path.join(inputs, f), data)
        subprocess.run(["node", os.path.join(ROOT, "reference", "ort_run.js"), model, data, data], check=True,
                       stderr=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
