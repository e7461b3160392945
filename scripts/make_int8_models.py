#!/usr/bin/env python3
"""Writes int8 variants of fp32 ONNX models the way ONNX Runtime's quantizer does.

  make_int8_models.py --dynamic MODEL.onnx OUT.onnx
      quantize_dynamic's layout: each MatMul whose B is a constant 2-D float
      becomes DynamicQuantizeLinear(A) -> MatMulInteger(A_q, B_q, A_zp, B_zp)
      -> Cast(float) -> Mul(A_scale * B_scale). Weights are int8, symmetric,
      per tensor (zero point 0), as quantize_dynamic's defaults give.

  make_int8_models.py --static MODEL.onnx OUT.onnx --calib DIR [DIR ...]
      quantize_static's QDQ layout: activations uint8 asymmetric, ranges from
      the min/max over the calibration inputs (DIR/input_<i>.pb); weights int8
      symmetric per output channel; bias int32 with scale x_scale * w_scale.
      QuantizeLinear -> DequantizeLinear pairs sit on the inputs of Conv,
      MatMul, Gemm, Add, Mul, Concat and pooling, and on their outputs; a Relu
      or Clip(0, ...) right after a Conv/Gemm/MatMul is folded away (its
      output range is the quantized range).

Only numpy and onnx are needed (no onnxruntime), so the suite can make these
files on any machine. Calibration runs the fp32 model through the
reference runtime in Node (reference/ort_run.js) to get every tensor's range.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def initializers(model):
    return {t.name: t for t in model.graph.initializer}


def constant_array(model, name, inits, const_nodes):
    if name in inits:
        return numpy_helper.to_array(inits[name])
    if name in const_nodes:
        for a in const_nodes[name].attribute:
            if a.name == "value":
                return numpy_helper.to_array(a.t)
    return None


def constant_nodes(model):
    out = {}
    for n in model.graph.node:
        if n.op_type == "Constant" and len(n.output) == 1:
            out[n.output[0]] = n
    return out


def symmetric_int8(w, axis=None):
    """Scale(s) and int8 values; scale = max|w| / 127 (per tensor or along `axis`)."""
    if axis is None:
        amax = float(np.max(np.abs(w))) if w.size else 0.0
        scale = np.float32(amax / 127.0 if amax > 0 else 1.0)
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        return scale, q
    red = tuple(i for i in range(w.ndim) if i != axis)
    amax = np.max(np.abs(w), axis=red)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return scale, q


def uint8_params(lo, hi):
    """Asymmetric uint8 scale and zero point for [lo, hi] (the range always holds 0)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / 255.0
    if scale == 0.0:
        return np.float32(1.0), np.uint8(0)
    zp = int(np.clip(np.round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


# ---------------------------------------------------------------- dynamic

def quantize_dynamic(model):
    g = model.graph
    inits = initializers(model)
    consts = constant_nodes(model)
    new_nodes, new_inits = [], []
    count = 0
    for n in g.node:
        b = constant_array(model, n.input[1], inits, consts) if n.op_type == "MatMul" else None
        if b is None or b.dtype != np.float32 or b.ndim != 2:
            new_nodes.append(n)
            continue
        count += 1
        x, y, base = n.input[0], n.output[0], n.name or f"MatMul_{count}"
        scale, q = symmetric_int8(b)
        wq, ws, wz = n.input[1] + "_quantized", n.input[1] + "_scale", n.input[1] + "_zero_point"
        if wq not in {t.name for t in new_inits}:
            new_inits += [numpy_helper.from_array(q, wq), numpy_helper.from_array(np.array(scale, np.float32), ws),
                          numpy_helper.from_array(np.array(0, np.int8), wz)]
        xq, xs, xz = x + "_quantized", x + "_scale", x + "_zero_point"
        if not any(nn.op_type == "DynamicQuantizeLinear" and nn.input[0] == x for nn in new_nodes):
            new_nodes.append(helper.make_node("DynamicQuantizeLinear", [x], [xq, xs, xz], name=x + "_QuantizeLinear"))
        mm = y + "_output_quantized"
        new_nodes.append(helper.make_node("MatMulInteger", [xq, wq, xz, wz], [mm], name=base + "_quant"))
        sm = base + "_scales_mul:0"
        new_nodes.append(helper.make_node("Mul", [xs, ws], [sm], name=base + "_scales_mul"))
        cast = mm + "_cast_output"
        new_nodes.append(helper.make_node("Cast", [mm], [cast], to=TensorProto.FLOAT, name=mm + "_cast"))
        new_nodes.append(helper.make_node("Mul", [cast, sm], [y], name=base + "_output_scale_mul"))
    used = {i for nn in new_nodes for i in nn.input}
    kept = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    return count


# ---------------------------------------------------------------- static QDQ

def tensor_ranges(model_path, calib_dirs):
    """min/max of every float tensor over the calibration inputs, from ORT in Node."""
    m = onnx.load(model_path)
    inferred = onnx.shape_inference.infer_shapes(m)
    floats = {vi.name for vi in list(inferred.graph.value_info) + list(m.graph.input)
              if vi.type.tensor_type.elem_type == TensorProto.FLOAT}
    have = {o.name for o in m.graph.output}
    init_names = {t.name for t in m.graph.initializer}
    for n in m.graph.node:
        for o in n.output:
            if o in floats and o not in have and o not in init_names and n.op_type != "Constant":
                m.graph.output.append(helper.make_tensor_value_info(o, TensorProto.FLOAT, None))
                have.add(o)
    ranges = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "all_outputs.onnx")
        onnx.save(m, path)
        for d in calib_dirs:
            out = os.path.join(tmp, "out")
            os.makedirs(out, exist_ok=True)
            subprocess.run(["node", os.path.join(ROOT, "reference", "ort_run.js"), path, d, out, "--threads", "2"],
                           check=True, stdout=subprocess.DEVNULL)
            outputs = {}
            for f in os.listdir(out):
                t = onnx.TensorProto()
                with open(os.path.join(out, f), "rb") as fh:
                    t.ParseFromString(fh.read())
                outputs[t.name] = numpy_helper.to_array(t)
            i = 0
            while os.path.exists(os.path.join(d, f"input_{i}.pb")):
                t = onnx.TensorProto()
                with open(os.path.join(d, f"input_{i}.pb"), "rb") as fh:
                    t.ParseFromString(fh.read())
                outputs[m.graph.input[i].name] = numpy_helper.to_array(t)
                i += 1
            for name, a in outputs.items():
                if a.dtype != np.float32 or a.size == 0:
                    continue
                lo, hi = float(a.min()), float(a.max())
                if name in ranges:
                    lo, hi = min(lo, ranges[name][0]), max(hi, ranges[name][1])
                ranges[name] = (lo, hi)
    return ranges


QUANTIZED_OPS = {"Conv", "MatMul", "Gemm", "Add", "Mul", "Concat", "MaxPool", "AveragePool", "GlobalAveragePool"}
WEIGHTED_OPS = {"Conv", "MatMul", "Gemm"}


def quantize_static(model, ranges):
    g = model.graph
    inits = initializers(model)
    consts = constant_nodes(model)
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    graph_outputs = {o.name for o in g.output}

    def const(name):
        return constant_array(model, name, inits, consts)

    # A Relu, or a Clip from 0, right after a quantized op goes: the op's
    # output takes the activation's name and range, and the QuantizeLinear's
    # saturation at the zero point (0.0) does what the activation did.
    drop = set()
    for n in g.node:
        if n.op_type not in QUANTIZED_OPS or n.output[0] in graph_outputs:
            continue
        c = consumers.get(n.output[0], [])
        if len(c) != 1:
            continue
        act = c[0]
        lo = const(act.input[1]) if act.op_type == "Clip" and len(act.input) > 1 and act.input[1] else None
        if act.op_type == "Relu" or (lo is not None and float(lo) == 0.0):
            if act.output[0] in ranges and ranges[act.output[0]][0] >= 0.0:
                n.output[0] = act.output[0]
                drop.add(id(act))

    def is_activation(name):
        return name in ranges and const(name) is None and name not in graph_outputs

    qdq = set()
    for n in g.node:
        if id(n) in drop or n.op_type not in QUANTIZED_OPS:
            continue
        ins = n.input[:1] if n.op_type in WEIGHTED_OPS else n.input
        qdq.update(i for i in ins if is_activation(i))
        qdq.update(o for o in n.output if is_activation(o))

    new_inits, out = [], []

    def emit_qdq(name):
        s, z = uint8_params(*ranges[name])
        sn, zn = name + "_scale", name + "_zero_point"
        new_inits.extend([numpy_helper.from_array(np.array(s, np.float32), sn),
                          numpy_helper.from_array(np.array(z, np.uint8), zn)])
        qn = name + "_QuantizeLinear_Output"
        out.append(helper.make_node("QuantizeLinear", [name, sn, zn], [qn], name=name + "_QuantizeLinear"))
        out.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [name + "_DequantizeLinear_Output"],
                                    name=name + "_DequantizeLinear"))

    def weight_dq(name, axis):
        scale, q = symmetric_int8(const(name), axis)
        qn, sn, zn = name + "_quantized", name + "_scale", name + "_zero_point"
        new_inits.extend([numpy_helper.from_array(q, qn), numpy_helper.from_array(np.asarray(scale, np.float32), sn),
                          numpy_helper.from_array(np.zeros(np.shape(scale), np.int8), zn)])
        dn = name + "_DequantizeLinear_Output"
        out.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [dn], name=name + "_DequantizeLinear", axis=axis))
        return dn, scale

    def bias_dq(name, x_scale, w_scale):
        scale = (np.float32(x_scale) * np.asarray(w_scale, np.float32)).astype(np.float32)
        q = np.round(const(name) / np.where(scale == 0, np.float32(1), scale)).astype(np.int32)
        qn, sn, zn = name + "_quantized", name + "_scale", name + "_zero_point"
        new_inits.extend([numpy_helper.from_array(q, qn), numpy_helper.from_array(scale, sn),
                          numpy_helper.from_array(np.zeros(scale.shape, np.int32), zn)])
        dn = name + "_DequantizeLinear_Output"
        out.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [dn], name=name + "_DequantizeLinear", axis=0))
        return dn

    for i in g.input:
        if i.name in qdq:
            emit_qdq(i.name)
    for n in g.node:
        if id(n) in drop:
            continue
        ins = [i + "_DequantizeLinear_Output" if i in qdq else i for i in n.input]
        if n.op_type in WEIGHTED_OPS and len(ins) > 1 and n.input[0] in qdq:
            w = const(n.input[1])
            trans_b = any(a.name == "transB" and a.i for a in n.attribute)
            has_bias = len(ins) > 2 and ins[2] and n.op_type != "MatMul"
            # A bias that is not a constant (yolov8n's DFL Conv) cannot be
            # quantized ahead: such an op keeps float weights.
            bias_ok = not has_bias or const(n.input[2]) is not None
            if w is not None and w.dtype == np.float32 and (n.op_type != "MatMul" or w.ndim == 2) and bias_ok:
                x_scale, _ = uint8_params(*ranges[n.input[0]])
                axis = 0 if n.op_type == "Conv" or (n.op_type == "Gemm" and trans_b) else 1
                ins[1], w_scale = weight_dq(n.input[1], axis)
                if has_bias:
                    ins[2] = bias_dq(n.input[2], x_scale, w_scale)
        node = helper.make_node(n.op_type, ins, list(n.output), name=n.name, domain=n.domain)
        node.attribute.extend(n.attribute)
        out.append(node)
        for o in n.output:
            if o in qdq:
                emit_qdq(o)
    used = {i for nn in out for i in nn.input}
    kept = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(out)
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    return len(qdq)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dynamic", action="store_true")
    mode.add_argument("--static", action="store_true")
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--calib", nargs="+", default=[], help="input folders (input_<i>.pb) for --static")
    args = ap.parse_args()
    model = onnx.load(args.model)
    if args.dynamic:
        n = quantize_dynamic(model)
        print(f"{args.model}: {n} MatMuls quantized dynamically", file=sys.stderr)
    else:
        if not args.calib:
            ap.error("--static needs --calib DIR")
        n = quantize_static(model, tensor_ranges(args.model, args.calib))
        print(f"{args.model}: {n} tensors quantized (QDQ)", file=sys.stderr)
    onnx.checker.check_model(model)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
