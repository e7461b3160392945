#!/usr/bin/env python3
"""`parallax plan --accelerator opencl --format json` prints the partition
that `parallax run` executes (ctest, tests/CMakeLists.txt).

  check_plan_matches_run.py PARALLAX WORK_DIR

Writes a small two-branch model into WORK_DIR (Conv and Relu nodes that the
device takes, a Sigmoid and a Softmax that it is not given), then compares:
  - the nodes the plan puts in offloaded regions with the nodes whose spans
    the run's trace shows on the device track;
  - the branch the plan gives each node with the branch the run's trace
    records for it.
Exits 77 (skipped) when no OpenCL device opens: the plan then has no regions
and there is nothing to compare.
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DEVICE_TID = 1000  # src/tools/trace_writer.cc kDeviceTid


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd):
    print("$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        fail(f"exit status {p.returncode}: {p.stdout}")
    return p.stdout, p.stderr


def make_model(path):
    rng = np.random.default_rng(7)

    def weight(name, shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.1, name)

    inits = [weight("w0", (8, 3, 3, 3)), weight("w1", (8, 8, 3, 3)), weight("w2", (8, 8, 3, 3)),
             weight("w3", (8, 8, 3, 3)), weight("w4", (8, 8, 3, 3))]
    pad = dict(pads=[1, 1, 1, 1])
    nodes = [
        helper.make_node("Conv", ["x", "w0"], ["c0"], name="stem_conv", **pad),
        helper.make_node("Relu", ["c0"], ["r0"], name="stem_relu"),
        # Branch a: a device chain.
        helper.make_node("Conv", ["r0", "w1"], ["a1"], name="a_conv1", **pad),
        helper.make_node("Relu", ["a1"], ["a2"], name="a_relu1"),
        helper.make_node("Conv", ["a2", "w2"], ["a3"], name="a_conv2", **pad),
        helper.make_node("Relu", ["a3"], ["a4"], name="a_relu2"),
        # Branch b: CPU work beside it, then device work.
        helper.make_node("Sigmoid", ["r0"], ["b1"], name="b_sigmoid"),
        helper.make_node("Conv", ["b1", "w3"], ["b2"], name="b_conv1", **pad),
        helper.make_node("Relu", ["b2"], ["b3"], name="b_relu1"),
        helper.make_node("Conv", ["b3", "w4"], ["b4"], name="b_conv2", **pad),
        helper.make_node("Add", ["a4", "b4"], ["s"], name="merge_add"),
        helper.make_node("Softmax", ["s"], ["y"], name="head_softmax", axis=1),
    ]
    graph = helper.make_graph(nodes, "two_branches",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 32, 32])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    parallax, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "two_branches.onnx")
    make_model(model)
    common = ["--accelerator", "opencl", "--accelerator-ops", "Conv,Relu,Add", "--offload", "all",
              "--threads", "2"]

    out, err = run([parallax, "plan", model, *common, "--format", "json"])
    if "not available" in err:
        print("SKIP: no OpenCL device")
        sys.exit(77)
    plan = json.loads(out)
    plan_branch = {n["name"]: n["branch"] for n in plan["nodes"] if "branch" in n}
    plan_device = {n["name"] for n in plan["nodes"] if "region" in n}
    if not plan_device:
        fail("the plan puts no node on the device")
    if plan["accelerator"]["post_regions"] < 2:
        fail(f"expected at least two offloaded regions beside the CPU nodes, got {plan['accelerator']}")

    trace_path = os.path.join(work, "two_branches_trace.json")
    run([parallax, "run", model, *common, "--random-inputs", "--trace", trace_path])
    with open(trace_path) as f:
        trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    ops = [e for e in events if e.get("cat") == "op"]
    if not ops:
        fail("the run's trace has no op slices")
    run_device = {e["args"]["node"] for e in ops if e["tid"] == DEVICE_TID}
    run_branch = {e["args"]["node"]: e["args"]["branch"] for e in ops}

    if run_device != plan_device:
        fail(f"device nodes differ: plan {sorted(plan_device)}, run {sorted(run_device)}")
    if set(run_branch) != set(plan_branch):
        fail(f"nodes differ: plan {sorted(plan_branch)}, run {sorted(run_branch)}")
    wrong = {n: (plan_branch[n], b) for n, b in run_branch.items() if plan_branch[n] != b}
    if wrong:
        fail(f"branches differ (node: plan, run): {wrong}")
    print(f"OK: {len(run_branch)} nodes, {len(run_device)} on the device, "
          f"{len(set(run_branch.values()))} branches, the same in plan and run")


if __name__ == "__main__":
    main()
