#!/usr/bin/env python3
"""`parallax calibrate --out FILE` either writes a device profile or says why
it cannot (ctest, tests/CMakeLists.txt).

  check_calibrate.py PARALLAX FILE [ARGS...]

Exit status 0 from the tool: FILE must be a JSON object with exactly the five
keys parse_device_profile reads, the numbers finite and positive. Exit status
1: no OpenCL here; stderr must say so and FILE must not exist. Anything else
(a crash, another status, a bad file) fails.
"""
import json
import math
import os
import subprocess
import sys

KEYS = {"name", "latency_ms", "accel_macs_per_s", "bandwidth_bytes_per_s", "cpu_macs_per_s"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    parallax, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if os.path.exists(path):
        os.remove(path)
    cmd = [parallax, "calibrate", "--out", path, *args]
    print("$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode == 1:
        if "OpenCL" not in p.stderr or "error" not in p.stderr:
            fail("exit status 1 without an error that names OpenCL")
        if os.path.exists(path):
            fail("exit status 1 but the profile was written")
        print("no OpenCL here: the tool said so and exited 1")
        return
    if p.returncode != 0:
        fail(f"exit status {p.returncode}")
    try:
        with open(path) as f:
            j = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        fail(f"cannot read the profile {path}: {e}")
    if not isinstance(j, dict) or set(j) != KEYS:
        fail(f"the profile's keys are {sorted(j) if isinstance(j, dict) else type(j)}, want {sorted(KEYS)}")
    if not isinstance(j["name"], str) or not j["name"]:
        fail("'name' is not a non-empty string")
    for k in KEYS - {"name"}:
        v = j[k]
        if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            fail(f"'{k}' is {v!r}, want a finite number > 0")
    if j["name"] not in p.stdout:
        fail("the summary does not name the device")
    print("profile ok: " + json.dumps(j))


main()
