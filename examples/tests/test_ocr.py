#!/usr/bin/python3
"""ctest example_ocr: examples/ocr.py reads a page rendered with PIL.

The page is drawn here, so its words are known: three blocks in three
DejaVu faces and sizes, dark text on a light background, including digits
and capitals. The test runs the example as a user would (a subprocess on a
PNG file) and counts the rendered words found in its output, in order. It
exits 77 (ctest's SKIP_RETURN_CODE) when the models or the alphabet are
missing, and fails when fewer than MIN_WORDS words are read or a line of
the output is malformed.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)
sys.path.insert(0, EXAMPLES)
import ocr  # noqa: E402

FONTS = "/usr/share/fonts/truetype/dejavu"
BLOCKS = [
    ("DejaVuSans.ttf", 30, ["Parallax runs ONNX models", "on small edge computers"]),
    ("DejaVuSerif.ttf", 24, ["The quick brown fox jumps over", "the lazy dog near 42 river banks", "while 7 owls watch quietly"]),
    ("DejaVuSansMono.ttf", 22, ["Invoice 2024 total 318 euros", "paid by card on Monday morning", "Sensor 9 reads cold"]),
]
# 41 words above. The recogniser is the real PP-OCRv4 model (trained, not
# random); it reads all of them when the boxes are unclipped by 2.3, so
# anything short of nearly all is a regression in the runtime or the app.
MIN_WORDS = 39


def render(path):
    img = Image.new("RGB", (760, 560), (245, 242, 236))
    draw = ImageDraw.Draw(img)
    y = 30
    words = []
    for font_name, size, lines in BLOCKS:
        font = ImageFont.truetype(os.path.join(FONTS, font_name), size)
        for line in lines:
            draw.text((40, y), line, fill=(20, 20, 30), font=font)
            words += line.split()
            y += int(size * 1.8)
        y += 20
    img.save(path)
    return words


def main():
    for path in (os.path.join(ocr.MODELS, "ppocr_det.onnx"), os.path.join(ocr.MODELS, "ppocr_rec.onnx")):
        if not os.path.exists(path):
            print(f"SKIP: {path} missing (scripts/setup.sh makes it)")
            return 77
    try:
        ocr.find_keys(os.path.join(ocr.MODELS, "ppocr_rec.onnx"))
    except FileNotFoundError as e:
        print(f"SKIP: {e}")
        return 77

    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "page.png")
        truth = render(image)
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, os.path.join(EXAMPLES, "ocr.py"), image],
                             capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - t0
    print(out.stdout, end="")
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        print(f"FAIL: ocr.py exited {out.returncode}")
        return 1

    line_re = re.compile(r"^(\d+),(\d+),(\d+),(\d+)\t(\d\.\d{3})\t(.+)$")
    read = []
    for line in out.stdout.splitlines():
        m = line_re.match(line)
        if not m:
            print(f"FAIL: malformed output line {line!r}")
            return 1
        x0, y0, x1, y1 = map(int, m.groups()[:4])
        if not (0 <= x0 < x1 <= 760 and 0 <= y0 < y1 <= 560):
            print(f"FAIL: box outside the image: {line!r}")
            return 1
        read += m.group(6).split()

    # Words read in reading order: a longest common subsequence, so that a
    # word is credited only where it belongs, and a misread costs one word.
    n, m = len(truth), len(read)
    lcs = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n):
        for j in range(m):
            lcs[i + 1][j + 1] = lcs[i][j] + 1 if truth[i] == read[j] else max(lcs[i][j + 1], lcs[i + 1][j])
    matched = lcs[n][m]
    print(f"words read: {matched}/{n} (output has {m} words), {elapsed:.2f} s")
    if matched < MIN_WORDS:
        print(f"FAIL: read {matched} of {n} words, want at least {MIN_WORDS}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
