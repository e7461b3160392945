#!/usr/bin/python3
"""Find the speech in a WAV file with Silero VAD v5 on Parallax.

    PYTHONPATH=build/python /usr/bin/python3 examples/vad.py FILE.wav [--model M]

FILE.wav: 16-bit PCM, any sample rate (resampled to 16 kHz), any number of
channels (averaged).

Prints one line per speech segment, in seconds:

    start<TAB>end

The model is models/silero_vad_v5.onnx (copied there by
scripts/make_models.py). It takes 512-sample chunks at 16 kHz and a
recurrent state of shape [2, 1, 128] that each call returns updated; the
chunks are fed in order, carrying that state, and the per-chunk speech
probabilities are turned into segments with hysteresis and minimum
durations. Only numpy and the standard library are needed besides parallax.
"""
import argparse
import os
import sys
import time
import wave

import numpy as np

import parallax

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, "models", "silero_vad_v5.onnx")
SAMPLE_RATE = 16000
CHUNK = 512  # 32 ms, the only chunk size the v5 model knows at 16 kHz
# The model was trained seeing the last 64 samples of the previous chunk in
# front of each chunk (Silero's own wrapper feeds 576 samples); without them
# every chunk starts with a discontinuity and the probabilities are noisier.
CONTEXT = 64


def read_wav(path):
    """Samples at 16 kHz as float32 in [-1, 1): 16-bit PCM, channels averaged,
    other sample rates resampled."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: need 16-bit PCM, got {8 * w.getsampwidth()}-bit samples")
        channels, rate = w.getnchannels(), w.getframerate()
        data = w.readframes(w.getnframes())
    x = np.frombuffer(data, "<i2").astype(np.float32) / 32768.0
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    return resample(x, rate, SAMPLE_RATE)


def resample(x, rate, to):
    """Windowed-sinc low-pass below the new Nyquist frequency, then linear
    interpolation: crude next to a polyphase resampler, but the VAD looks at
    the speech band, which it keeps, and it runs in O(n) memory on long files."""
    if rate == to:
        return x
    if rate > to:
        cutoff = 0.45 * to / rate  # cycles per input sample, a little under Nyquist
        taps = np.arange(-32, 33)
        h = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hanning(len(taps))
        x = np.convolve(x, (h / h.sum()).astype(np.float32), mode="same")
    n = int(len(x) * to // rate)
    return np.interp(np.arange(n) * (rate / to), np.arange(len(x)), x).astype(np.float32)


class SileroVad:
    def __init__(self, path=MODEL, threads=1):
        opts = parallax.SessionOptions()
        # One 32 ms chunk is far too little work to share among threads.
        opts.intra_op_num_threads = threads
        self.session = parallax.InferenceSession(path, opts)

    def probabilities(self, audio):
        """Speech probability of each whole 512-sample chunk (a partial last
        chunk is zero-padded)."""
        n = -(-len(audio) // CHUNK)
        padded = np.zeros(CONTEXT + n * CHUNK, np.float32)
        padded[CONTEXT:CONTEXT + len(audio)] = audio
        state = np.zeros((2, 1, 128), np.float32)
        sr = np.array(SAMPLE_RATE, np.int64)
        probs = np.empty(n, np.float32)
        for k in range(n):
            x = padded[k * CHUNK:(k + 1) * CHUNK + CONTEXT][None]
            out, state = self.session.run(None, {"input": x, "state": state, "sr": sr})
            probs[k] = out[0, 0]
        return probs


def segments(probs, threshold=0.5, neg_threshold=None, min_speech_s=0.25, min_silence_s=0.1,
             pad_s=0.03, duration_s=None):
    """Speech segments [(start_s, end_s)] from per-chunk probabilities.

    Speech starts at the first chunk at or above `threshold` and ends only
    after `min_silence_s` below `neg_threshold` (hysteresis: a word's quiet
    consonants between the two thresholds do not split it). Segments shorter
    than `min_speech_s` are dropped as clicks; each is widened by `pad_s` so
    that soft onsets and tails are kept, without overlapping its neighbours.
    """
    if neg_threshold is None:
        neg_threshold = max(threshold - 0.15, 0.01)
    step = CHUNK / SAMPLE_RATE
    if duration_s is None:
        duration_s = len(probs) * step
    found = []
    start = None
    silence_from = None
    for k, p in enumerate(probs):
        t = k * step
        if start is None:
            if p >= threshold:
                start, silence_from = t, None
            continue
        if p >= threshold:
            silence_from = None
        elif p < neg_threshold:
            if silence_from is None:
                silence_from = t
            if t + step - silence_from >= min_silence_s:
                found.append([start, silence_from])
                start = silence_from = None
    if start is not None:
        found.append([start, silence_from if silence_from is not None else duration_s])
    found = [s for s in found if s[1] - s[0] >= min_speech_s]
    for i, s in enumerate(found):
        lo = found[i - 1][1] if i > 0 else 0.0
        hi = found[i + 1][0] if i + 1 < len(found) else duration_s
        s[0] = max(lo, s[0] - pad_s)
        s[1] = min(hi, s[1] + pad_s)
    return [(round(a, 3), round(b, 3)) for a, b in found]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("wav")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--min-speech", type=float, default=0.25, help="seconds; shorter segments are dropped")
    ap.add_argument("--min-silence", type=float, default=0.1, help="seconds of silence that end a segment")
    ap.add_argument("--pad", type=float, default=0.03, help="seconds added on each side of a segment")
    ap.add_argument("--time", action="store_true", help="print the time taken to stderr")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    vad = SileroVad(args.model)
    audio = read_wav(args.wav)
    t1 = time.perf_counter()
    probs = vad.probabilities(audio)
    segs = segments(probs, args.threshold, min_speech_s=args.min_speech, min_silence_s=args.min_silence,
                    pad_s=args.pad, duration_s=len(audio) / SAMPLE_RATE)
    t2 = time.perf_counter()
    for a, b in segs:
        print(f"{a:.3f}\t{b:.3f}")
    if args.time:
        print(f"load {t1 - t0:.2f} s, vad {t2 - t1:.2f} s for {len(audio) / SAMPLE_RATE:.1f} s of audio "
              f"({len(probs)} chunks)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
