#!/usr/bin/env python3
"""Where a process's resident memory is at its peak, by mapping.

Runs a command, reads /proc/PID/smaps every few milliseconds and keeps the
reading with the largest total Rss, then prints it grouped into: the model
and external-data files (file-backed, read through mmap), shared libraries,
the malloc heap ([heap]), anonymous mappings (large blocks mmap'd directly,
glibc's per-thread arenas, oneDNN's JIT code, thread stacks) and the rest.
Peak RSS alone says how much; this says what it is made of.

  bench/rss_breakdown.py [--every-ms 5] [--top 8] -- build/parallax bench MODEL ...

The CLI re-executes itself once with its OpenMP settings; the sampler
follows the process that holds the most memory among the command and its
descendants, so that re-exec does not hide the session.
"""
import argparse
import os
import subprocess
import sys
import time


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def read_smaps(pid):
    """[(name, rss_kib, anon_kib)] per mapping, or None once the process is gone."""
    rows, name, rss, anon = [], None, 0, 0
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                head = line.split(None, 1)[0]
                if "-" in head and not head.endswith(":"):
                    if name is not None:
                        rows.append((name, rss, anon))
                    parts = line.split(None, 5)
                    name, rss, anon = (parts[5].strip() if len(parts) > 5 else ""), 0, 0
                elif head == "Rss:":
                    rss = int(line.split()[1])
                elif head == "Anonymous:":
                    anon = int(line.split()[1])
    except (OSError, ProcessLookupError):
        return None
    if name is not None:
        rows.append((name, rss, anon))
    return rows


def category(name, model_paths):
    if name == "[heap]":
        return "malloc heap"
    if name.startswith("[stack"):
        return "stacks"
    if name == "":
        return "anonymous mmap"
    if name.startswith("["):
        return "other"
    if any(name == m or name.startswith(m + ".") for m in model_paths) or name.endswith((".onnx", ".data", ".bin")):
        return "model files"
    if ".so" in os.path.basename(name):
        return "libraries"
    return "other files"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every-ms", type=float, default=5.0)
    ap.add_argument("--top", type=int, default=8, help="largest single mappings to list")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        ap.error("no command given")
    models = [os.path.realpath(c) for c in cmd if os.path.exists(c) and not os.access(c, os.X_OK)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    best, best_total = None, -1
    while proc.poll() is None:
        for pid in descendants(proc.pid):
            rows = read_smaps(pid)
            if rows is None:
                continue
            total = sum(r for _, r, _ in rows)
            if total > best_total:
                best, best_total = rows, total
        time.sleep(a.every_ms / 1000)
    if proc.returncode != 0:
        print(f"command exited with {proc.returncode}", file=sys.stderr)
    if best is None:
        sys.exit("no reading taken (the command ended too soon)")
    groups = {}
    for name, rss, anon in best:
        g = groups.setdefault(category(name, models), [0, 0])
        g[0] += rss
        g[1] += anon
    print(f"peak sampled RSS {best_total / 1024:.1f} MiB (every {a.every_ms:g} ms; the kernel's VmHWM may be a little higher)")
    for g, (rss, anon) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        print(f"  {g:<16} {rss / 1024:8.1f} MiB   (private dirty/anonymous {anon / 1024:.1f})")
    print(f"largest mappings:")
    for name, rss, anon in sorted(best, key=lambda r: -r[1])[: a.top]:
        print(f"  {rss / 1024:8.1f} MiB  {name or '(anonymous)'}")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
