#!/usr/bin/python3
"""Make float16 variants of float32 models, with ONNX Runtime reference outputs.

    /usr/bin/python3 scripts/make_fp16_models.py [--models models] [--out build/fp16_models]
        [--only mobilenet_v2,distilbert] [--layouts inner,io]

For each <models>/<name>.onnx (with <models>/<name>/test_data_set_0 inputs)
this writes two layouts, in the ONNX backend test-data layout:

    <out>/<name>_fp16/      fp16 inside: float32 graph inputs and outputs, a
                            Cast to float16 after each input and a Cast to
                            float before each output, float16 weights
    <out>/<name>_fp16io/    float16 graph inputs and outputs

each with model.onnx and test_data_set_0/{input,output}_K.pb, the outputs
from reference/ort_run.js (onnxruntime-node). No bfloat16 layout: ONNX's Conv
does not accept bfloat16 and ORT's CPU provider inserts Casts for float16
only, so ORT cannot serve as the reference for a bfloat16 model
(narrow_array still knows bfloat16, for hand-made cases).

The conversion (written here; onnxconverter-common is not available):
every float32 tensor type becomes float16: initializers, Constant and
ConstantOfShape values, graph inputs/outputs (io layout) and Cast(to=FLOAT).
Finite values beyond float16's range are clamped to +-65504 first, as
converters do, so that a -3.4e38 attention mask stays finite. Inputs that
ONNX requires to be float32 (Resize's roi and scales) stay float32.
Intermediate value_info is dropped: its types would be stale.
"""

import argparse
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_RUN = os.path.join(REPO, "reference", "ort_run.js")

FP16_MAX = 65504.0
# (op, input index) pairs whose float tensors must stay float32.
KEEP_FLOAT32 = {("Resize", 1), ("Resize", 2), ("Upsample", 1)}


def narrow_array(a, to):
    a = np.asarray(a, np.float32)
    if to == TensorProto.FLOAT16:
        finite = np.isfinite(a)
        a = np.where(finite, np.clip(a, -FP16_MAX, FP16_MAX), a)
        return a.astype(np.float16)
    # bfloat16: round to nearest even on the float32 bits (numpy has no bfloat16).
    shape = a.shape
    a = a.reshape(-1)
    bits = a.view(np.uint32).astype(np.uint64)
    s16 = np.uint64(16)
    rounded = ((bits + np.uint64(0x7FFF) + ((bits >> s16) & np.uint64(1))) >> s16).astype(np.uint16)
    nan = np.isnan(a)
    rounded[nan] = (bits[nan] >> s16).astype(np.uint16) | np.uint16(0x40)
    return rounded.reshape(shape)


def narrow_tensor(t, to):
    if t.data_type != TensorProto.FLOAT:
        return t
    arr = narrow_array(numpy_helper.to_array(t), to)
    out = TensorProto()
    out.name = t.name
    out.dims.extend(t.dims)
    out.data_type = to
    out.raw_data = np.ascontiguousarray(arr).tobytes()
    return out


def convert_graph(graph, to, keep_io):
    """Rewrites `graph` in place; subgraphs too (their I/O is converted)."""
    keep = set()
    for node in graph.node:
        for i, name in enumerate(node.input):
            if (node.op_type, i) in KEEP_FLOAT32 and name:
                keep.add(name)
    inits = []
    for t in graph.initializer:
        inits.append(t if t.name in keep else narrow_tensor(t, to))
    del graph.initializer[:]
    graph.initializer.extend(inits)
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.FLOAT:
                if node.op_type == "Constant" and node.output[0] in keep:
                    continue
                attr.t.CopyFrom(narrow_tensor(attr.t, to))
            elif attr.type == onnx.AttributeProto.GRAPH:
                convert_graph(attr.g, to, keep_io=False)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    convert_graph(g, to, keep_io=False)
        if node.op_type == "Cast":
            for attr in node.attribute:
                if attr.name == "to" and attr.i == TensorProto.FLOAT:
                    attr.i = to
        if node.op_type in ("RandomNormal", "RandomUniform", "EyeLike"):
            for attr in node.attribute:
                if attr.name == "dtype" and attr.i == TensorProto.FLOAT:
                    attr.i = to
    del graph.value_info[:]
    if keep_io:
        wrap_io(graph, to)
    else:
        for v in list(graph.input) + list(graph.output):
            if v.type.tensor_type.elem_type == TensorProto.FLOAT:
                v.type.tensor_type.elem_type = to


def wrap_io(graph, to):
    """float32 graph I/O around a half-float body: Casts at the boundary."""
    first, last = [], []
    for v in graph.input:
        if v.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        inner = v.name + "_half"
        for node in graph.node:
            for i, name in enumerate(node.input):
                if name == v.name:
                    node.input[i] = inner
        first.append(helper.make_node("Cast", [v.name], [inner], name=v.name + "_to_half", to=to))
    for v in graph.output:
        if v.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        inner = v.name + "_half"
        for node in graph.node:
            for i, name in enumerate(node.output):
                if name == v.name:
                    node.output[i] = inner
            for i, name in enumerate(node.input):
                if name == v.name:
                    node.input[i] = inner
        last.append(helper.make_node("Cast", [inner], [v.name], name=v.name + "_to_float", to=TensorProto.FLOAT))
    nodes = first + list(graph.node) + last
    del graph.node[:]
    graph.node.extend(nodes)


def convert_model(src, dst, to, keep_io):
    model = onnx.load(src)
    convert_graph(model.graph, to, keep_io)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")


def make_case(models, out, name, suffix, to, keep_io):
    src = os.path.join(models, name + ".onnx")
    src_inputs = os.path.join(models, name, "test_data_set_0")
    case = os.path.join(out, f"{name}_{suffix}")
    data = os.path.join(case, "test_data_set_0")
    shutil.rmtree(case, ignore_errors=True)
    os.makedirs(data)
    convert_model(src, os.path.join(case, "model.onnx"), to, keep_io)
    k = 0
    while os.path.exists(os.path.join(src_inputs, f"input_{k}.pb")):
        t = onnx.load_tensor(os.path.join(src_inputs, f"input_{k}.pb"))
        if not keep_io:
            t = narrow_tensor(t, to)
        onnx.save_tensor(t, os.path.join(data, f"input_{k}.pb"))
        k += 1
    run(["node", ORT_RUN, os.path.join(case, "model.onnx"), data, data])
    print(f"{case}: {k} inputs, ORT outputs written")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=os.path.join(REPO, "models"))
    p.add_argument("--out", default=os.path.join(REPO, "build", "fp16_models"))
    p.add_argument("--only", default="mobilenet_v2,distilbert,clip_text,swin_v2_t")
    p.add_argument("--layouts", default="inner,io", help="inner (fp32 I/O, fp16 inside), io (fp16 I/O)")
    args = p.parse_args()
    layouts = args.layouts.split(",")
    os.makedirs(args.out, exist_ok=True)  # the ctest reads it even when no model is there
    made = 0
    for name in args.only.split(","):
        if not os.path.exists(os.path.join(args.models, name + ".onnx")):
            print(f"{name}: not in {args.models}, skipped")
            continue
        if "inner" in layouts:
            make_case(args.models, args.out, name, "fp16", TensorProto.FLOAT16, keep_io=True)
        if "io" in layouts:
            make_case(args.models, args.out, name, "fp16io", TensorProto.FLOAT16, keep_io=False)
        made += 1
    if made == 0:
        print("no model found")


if __name__ == "__main__":
    main()
