#!/usr/bin/python3
"""The device/CPU overlap of one run, drawn from a `--trace` file.

  /usr/bin/python3 bench/overlap_picture.py TRACE.json --out docs/images/overlap --title "..."

Writes OUT.html (an SVG: one row per CPU thread and one for the device, a box
per op, and a strip marking when device and CPU were busy at once) and OUT.png
(headless Chromium screenshot, bench/report.py's). The last run in the trace
is drawn. The overlap is the same union-intersection as `bench --json`'s
stats.device_cpu_overlap_ms (src/tools/device_overlap.h).
"""
import argparse
import html
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import screenshot  # noqa: E402


def merged(spans):
    out = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def intersect(x, y):
    out, i, j = [], 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if b > a:
            out.append([a, b])
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--out", required=True, help="path without extension")
    ap.add_argument("--title", default="")
    args = ap.parse_args()
    events = json.load(open(args.trace))["traceEvents"]
    runs = [e for e in events if e.get("cat") == "run"]
    last = max(runs, key=lambda e: e["ts"])
    t0, t1 = last["ts"], last["ts"] + last["dur"]
    names = {e["tid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    ops = [e for e in events if e.get("cat") == "op" and t0 <= e["ts"] <= t1]
    device_tids = {tid for tid, n in names.items() if "device" in n.lower() or "opencl" in n.lower()}
    rows = sorted({e["tid"] for e in ops})
    dev = merged([[e["ts"], e["ts"] + e["dur"]] for e in ops if e["tid"] in device_tids])
    cpu = merged([[e["ts"], e["ts"] + e["dur"]] for e in ops if e["tid"] not in device_tids])
    both = intersect(dev, cpu)
    total = lambda v: sum(b - a for a, b in v) / 1e3
    W, L, R, rh = 1300, 150, 20, 34
    H = 40 + (len(rows) + 1) * (rh + 10) + 40
    x = lambda t: L + (t - t0) / max(t1 - t0, 1e-9) * (W - L - R)
    summary = (f"run {(t1 - t0) / 1e3:.1f} ms; device busy {total(dev):.1f} ms, CPU busy {total(cpu):.1f} ms, "
               f"both at once {total(both):.1f} ms")
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<text x="6" y="16" font-weight="bold">{html.escape(args.title)}</text>',
         f'<text x="6" y="32">{html.escape(summary)}</text>']
    for i, tid in enumerate(rows + ["overlap"]):
        y0 = 44 + i * (rh + 10)
        label = "device and CPU busy" if tid == "overlap" else names.get(tid, f"thread {tid}")
        s.append(f'<text x="{L - 6}" y="{y0 + rh / 2 + 4}" text-anchor="end">{html.escape(label)}</text>')
        s.append(f'<rect x="{L}" y="{y0}" width="{W - L - R}" height="{rh}" fill="#fafafa" stroke="#ddd"/>')
        boxes = ([(a, b - a, "#d62728", "overlap") for a, b in both] if tid == "overlap" else
                 [(e["ts"], e["dur"], "#1f77b4" if tid in device_tids else "#2ca02c",
                   f'{e["name"]} {e["args"].get("node", "")} {e["dur"] / 1e3:.3f} ms') for e in ops if e["tid"] == tid])
        for ts, dur, colour, title in boxes:
            s.append(f'<rect x="{x(ts):.2f}" y="{y0 + 1}" width="{max(x(ts + dur) - x(ts), 0.6):.2f}" '
                     f'height="{rh - 2}" fill="{colour}" stroke="#fff" stroke-width="0.3">'
                     f'<title>{html.escape(title)}</title></rect>')
    y = H - 14
    for k in range(9):
        t = t0 + k * (t1 - t0) / 8
        s.append(f'<text x="{x(t):.1f}" y="{y}" text-anchor="middle">{(t - t0) / 1e3:.0f} ms</text>')
    s.append("</svg>")
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>overlap</title></head><body>{''.join(s)}</body></html>"
    with open(args.out + ".html", "w") as f:
        f.write(page)
    png, err = screenshot(args.out + ".html", args.out + ".png")
    if png:
        try:  # the screenshot's window is taller than the picture
            from PIL import Image
            with Image.open(png) as im:
                im.crop((0, 0, min(im.width, W + 20), min(im.height, H + 20))).save(png)
        except ImportError:
            pass
    print(summary)
    print(png or err)


if __name__ == "__main__":
    main()
