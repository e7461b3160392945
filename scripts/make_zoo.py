#!/usr/bin/python3
"""Export the model zoo: models outside the Parallax suite, for breadth.

Run with the system Python (torch 1.13, torchvision 0.14, onnx 1.12):

    /usr/bin/python3 scripts/make_zoo.py [--out models/zoo] [--only a,b] [--force]
                                         [--list] [--timeout 240] [--opset N]

The suite (scripts/model_manifest.json: made by make_models.py and
make_paper_models.py) is not repeated here. The zoo has torchvision
classifiers, segmentation, detection (with NMS, RoIAlign, keypoints, masks),
video and optical-flow models, and sequence models built from torch.nn
(nn.TransformerEncoder / nn.Transformer / nn.LSTM / nn.GRU and a KV-cache
decoder step), each at an input small enough to run in about 200 ms or less
on two cores (a few heavier ones are noted in their entry).

Weights are random (weights=None; nothing is downloaded), seeded with
torch.manual_seed(0) and re-initialised as in make_models.py so that
activations and outputs are well scaled:

  * 2-D CNNs: make_models.reinit (kaiming conv, N(0, 1/fan_in) linear, BN
    gamma/beta random and running statistics measured on random images then
    perturbed). Detection models normalise their own input, so their BN
    statistics are measured on raw U(0, 1) images (make_models.reinit's
    SSDlite path).
  * LayerNorm (vision transformers, ConvNeXt, the torch.nn sequence models):
    make_paper_models.init_transformer (gamma = 1 + N(0, 0.1), beta =
    N(0, 0.05), embeddings N(0, 0.02)), so that a kernel ignoring gamma or
    beta is caught.
  * Conv1d / Conv3d and BatchNorm1d / BatchNorm3d (video, audio): the same
    scheme as make_models.reinit, generalised here to every dimension
    (reinit_nd).
  * ConvNeXt's layer scale (1e-6 at init, which makes every block an
    identity) is set to U(0.1, 0.3).
  * LSTM / GRU weights N(0, 1/fan_in) (see initialise).
  * Detection heads: the last layers of the class / box / mask / keypoint
    heads are rescaled on a random image to a set output spread (HEADS), so
    that scores are spread (no ties at 1.0 for NMS to order arbitrarily),
    boxes are not all the whole image and detections are left above the
    score threshold.

Models with nn.MultiheadAttention / nn.TransformerEncoderLayer (ViT, the
torch.nn sequence models) are exported with autograd on: under no_grad
PyTorch 1.13 takes their fused fast paths, which have no ONNX symbolic.

Each model is exported in its own child process (a torch exporter that
hangs or crashes costs only that model), with a time limit (--timeout,
default 240 s: the export is abandoned and reported, as is an exception).

Writes models/zoo/<name>.onnx (models/ is not committed),
models/zoo/export_log.json (per model: seconds, size, nodes, op types,
eager output statistics, or the error) and scripts/zoo_manifest.json (per
model: file, family, task, opset, every input's name, dtype, shape and how
to make its values, output names; value kinds as in model_manifest.json:
imagenet, uniform, normal, token_ids, mask). bench/zoo.py reads the manifest.

Models already present in --out are skipped unless --force is given.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))

import make_models as mm  # noqa: E402  reinit, describe
import make_paper_models as mpm  # noqa: E402  init_transformer, causal_mask

MANIFEST = os.path.join(REPO, "scripts", "zoo_manifest.json")
SUITE_MANIFEST = os.path.join(REPO, "scripts", "model_manifest.json")
DEFAULT_OUT = os.path.join(REPO, "models", "zoo")


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# the zoo table


def img(shape, name="input", kind="imagenet"):
    v = {"kind": kind}
    if kind == "uniform":
        v.update(low=0.0, high=1.0)
    if kind == "normal":
        v.update(mean=0.0, std=1.0)
    return {"name": name, "dtype": "float32", "shape": list(shape), "values": v}


def tokens(name, shape, high):
    return {"name": name, "dtype": "int64", "shape": list(shape),
            "values": {"kind": "token_ids", "low": 0, "high": high}}


def spec(family, task, inputs, outputs, opset=13, init="tv", note="", **kw):
    """One zoo entry. init: tv (make_models.reinit on ImageNet-normalised
    images), tv_raw (the same on raw U(0,1) images: detection, RAFT), nd
    (reinit_nd: 3-D / 1-D convolutions), seq (init_transformer, recurrent
    weights). outputs: names (detectors: the keys of their result dict, in
    order; one row per detection, so the first dimension varies)."""
    return dict(family=family, task=task, inputs=inputs, outputs=outputs, opset=opset, init=init,
                note=note, **kw)


CLS = "image classification"
IMG224 = [img((1, 3, 224, 224))]
LOGITS = ["logits"]
# torchvision's detection result dicts, in their key order (one row per detection)
RCNN_OUT = ["boxes", "labels", "scores"]
DET_OUT = ["boxes", "scores", "labels"]

# name -> entry. `build` (a function of no argument returning the nn.Module)
# is looked up in BUILDERS below; everything else is data and goes to the
# manifest.
ZOO = {
    # -- torchvision classifiers (resnet18, mobilenet_v2, googlenet, inception_v3,
    #    swin_v2_t are in the suite)
    "resnet34": spec("classification", CLS, IMG224, LOGITS),
    "resnet50": spec("classification", CLS, IMG224, LOGITS),
    "resnet101": spec("classification", CLS, [img((1, 3, 160, 160))], LOGITS,
                      note="160x160 input to stay near 100 ms"),
    "resnext50_32x4d": spec("classification", CLS, IMG224, LOGITS),
    "wide_resnet50_2": spec("classification", CLS, [img((1, 3, 160, 160))], LOGITS,
                            note="160x160 input (11 GFLOPs at 224)"),
    "alexnet": spec("classification", CLS, IMG224, LOGITS, note="61 M parameters (244 MB file)"),
    "squeezenet1_0": spec("classification", CLS, IMG224, LOGITS),
    "squeezenet1_1": spec("classification", CLS, IMG224, LOGITS, opset=15),
    "densenet121": spec("classification", CLS, IMG224, LOGITS),
    "shufflenet_v2_x0_5": spec("classification", CLS, IMG224, LOGITS),
    "shufflenet_v2_x1_0": spec("classification", CLS, IMG224, LOGITS, opset=16),
    "shufflenet_v2_x2_0": spec("classification", CLS, IMG224, LOGITS),
    "mobilenet_v3_small": spec("classification", CLS, IMG224, LOGITS, opset=14,
                               note="opset 14: HardSwish"),
    "mobilenet_v3_large": spec("classification", CLS, IMG224, LOGITS, opset=13,
                               note="opset 13: hardswish as HardSigmoid * x"),
    "mnasnet0_5": spec("classification", CLS, IMG224, LOGITS),
    "mnasnet1_0": spec("classification", CLS, IMG224, LOGITS, opset=15),
    "efficientnet_b0": spec("classification", CLS, IMG224, LOGITS),
    "efficientnet_b1": spec("classification", CLS, [img((1, 3, 240, 240))], LOGITS, opset=16),
    "efficientnet_v2_s": spec("classification", CLS, IMG224, LOGITS, opset=17,
                              note="224x224 (trained at 384)"),
    "regnet_x_400mf": spec("classification", CLS, IMG224, LOGITS),
    "regnet_y_400mf": spec("classification", CLS, IMG224, LOGITS, opset=14),
    "regnet_x_800mf": spec("classification", CLS, IMG224, LOGITS),
    "regnet_y_800mf": spec("classification", CLS, IMG224, LOGITS),
    "regnet_y_1_6gf": spec("classification", CLS, IMG224, LOGITS, opset=17),
    "convnext_tiny": spec("classification", CLS, IMG224, LOGITS, opset=17,
                          note="layer scale set to U(0.1, 0.3)"),
    "vit_b_16": spec("classification", CLS, [img((1, 3, 112, 112))], LOGITS, opset=17,
                     note="image_size=112 (49 patches + class token)"),
    "vit_b_32": spec("classification", CLS, IMG224, LOGITS, opset=14,
                     note="opset 14: LayerNorm decomposed"),
    "swin_t": spec("classification", CLS, IMG224, LOGITS, opset=17),
    "maxvit_t": spec("classification", CLS, IMG224, LOGITS, opset=17),

    # -- segmentation (torchvision, no aux head)
    "deeplabv3_mobilenet_v3_large": spec("segmentation", "semantic segmentation", IMG224, ["out"]),
    "lraspp_mobilenet_v3_large": spec("segmentation", "semantic segmentation", IMG224, ["out"],
                                      opset=14),
    "fcn_resnet50": spec("segmentation", "semantic segmentation", [img((1, 3, 160, 160))], ["out"],
                         note="160x160 input: dilated ResNet-50, output stride 8"),
    "deeplabv3_resnet50": spec("segmentation", "semantic segmentation", [img((1, 3, 160, 160))],
                               ["out"], opset=16,
                               note="160x160 input: dilated ResNet-50, output stride 8"),

    # -- detection (torchvision; post-processing with NMS in the graph). The
    #    transform resizes to min_size..max_size, so the input is made that size.
    "fasterrcnn_mobilenet_v3_large_320_fpn": spec(
        "detection", "object detection (two-stage, RoIAlign, NMS)",
        [img((1, 3, 320, 320), "images", "uniform")], RCNN_OUT, init="tv_raw",
        kwargs=dict(box_score_thresh=0.02)),
    "fasterrcnn_resnet50_fpn": spec(
        "detection", "object detection (two-stage, RoIAlign, NMS)",
        [img((1, 3, 256, 256), "images", "uniform")], RCNN_OUT, init="tv_raw",
        kwargs=dict(min_size=256, max_size=256, box_score_thresh=0.02,
                    rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=300),
        note="256x256, 300 proposals"),
    "retinanet_resnet50_fpn": spec(
        "detection", "object detection (one-stage, NMS)",
        [img((1, 3, 256, 256), "images", "uniform")], DET_OUT, init="tv_raw",
        kwargs=dict(min_size=256, max_size=256), note="256x256"),
    "fcos_resnet50_fpn": spec(
        "detection", "object detection (anchor-free, NMS)",
        [img((1, 3, 256, 256), "images", "uniform")], DET_OUT, init="tv_raw",
        kwargs=dict(min_size=256, max_size=256), note="256x256"),
    "ssd300_vgg16": spec(
        "detection", "object detection (SSD, NMS)",
        [img((1, 3, 300, 300), "images", "uniform")], DET_OUT, init="tv_raw",
        kwargs=dict(score_thresh=0.02), note="fixed 300x300 (VGG-16, ~31 GFLOPs: slower than 200 ms)"),
    "keypointrcnn_resnet50_fpn": spec(
        "detection", "person keypoints (two-stage, RoIAlign, NMS)",
        [img((1, 3, 256, 256), "images", "uniform")], RCNN_OUT + ["keypoints", "keypoints_scores"],
        init="tv_raw", opset=16,
        kwargs=dict(min_size=256, max_size=256, box_score_thresh=0.02,
                    rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=300),
        note="256x256, 300 proposals"),
    "maskrcnn_resnet50_fpn": spec(
        "detection", "instance segmentation (two-stage, RoIAlign, NMS, masks)",
        [img((1, 3, 256, 256), "images", "uniform")], RCNN_OUT + ["masks"], init="tv_raw",
        kwargs=dict(min_size=256, max_size=256, box_score_thresh=0.02,
                    rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=300),
        note="256x256, 300 proposals"),

    # -- video (torchvision; Kinetics-normalised clips, here N(0, 1))
    "r3d_18": spec("video", "video classification (3-D convolutions)",
                   [img((1, 3, 8, 112, 112), kind="normal")], LOGITS, init="nd",
                   note="8 frames of 112x112 (~20 GFLOPs: slower than 200 ms)"),
    "mc3_18": spec("video", "video classification (mixed 3-D / 2-D convolutions)",
                   [img((1, 3, 4, 112, 112), kind="normal")], LOGITS, init="nd",
                   note="4 frames of 112x112"),
    "r2plus1d_18": spec("video", "video classification ((2+1)-D convolutions)",
                        [img((1, 3, 4, 112, 112), kind="normal")], LOGITS, init="nd", opset=15,
                        note="4 frames of 112x112"),

    # -- optical flow
    "raft_small": spec("optical flow", "optical flow (RAFT, GridSample, correlation)",
                       [img((1, 3, 128, 128), "image1", "uniform"),
                        img((1, 3, 128, 128), "image2", "uniform")],
                       ["flow"], init="tv_raw", opset=16,
                       note="128x128, 4 flow updates unrolled"),

    # -- sequence models built from torch.nn
    "bert_encoder": spec(
        "transformer", "text encoder (BERT-style: embeddings + nn.TransformerEncoder, padding mask)",
        [tokens("input_ids", (1, 128), 30522),
         {"name": "attention_mask", "dtype": "int64", "shape": [1, 128],
          "values": {"kind": "mask", "valid": 100}}],
        ["last_hidden_state", "pooled"], opset=17, init="seq",
        note="d 256, 4 heads, ffn 1024, 4 post-LN layers, GELU"),
    "gpt_decoder": spec(
        "transformer", "text decoder, full prefill (GPT-style: pre-LN nn.TransformerEncoderLayer + causal mask)",
        [tokens("input_ids", (1, 64), 16384)], LOGITS, opset=17, init="seq",
        note="d 256, 4 heads, ffn 1024, 4 pre-LN layers, tied LM head"),
    "gpt_decoder_step": spec(
        "transformer", "text decoder, one token with a KV cache (GPT-style)",
        [tokens("input_ids", (1, 1), 16384),
         {"name": "past_keys", "dtype": "float32", "shape": [4, 1, 4, 63, 64],
          "values": {"kind": "normal", "mean": 0.0, "std": 1.0}},
         {"name": "past_values", "dtype": "float32", "shape": [4, 1, 4, 63, 64],
          "values": {"kind": "normal", "mean": 0.0, "std": 1.0}}],
        ["logits", "present_keys", "present_values"], opset=17, init="seq",
        note="the weights of gpt_decoder's layout, hand-written attention, 63 cached positions"),
    "transformer_encdec": spec(
        "transformer", "translation (nn.Transformer encoder-decoder, causal target mask)",
        [tokens("src_ids", (1, 32), 8000), tokens("tgt_ids", (1, 16), 8000)], LOGITS, opset=17,
        init="seq", note="d 256, 4 heads, ffn 1024, 3 + 3 layers, opset 17 LayerNormalization"),
    "transformer_encdec_op14": spec(
        "transformer", "translation (nn.Transformer encoder-decoder), opset 14",
        [tokens("src_ids", (1, 32), 8000), tokens("tgt_ids", (1, 16), 8000)], LOGITS, opset=14,
        init="seq", note="transformer_encdec's layout at opset 14 (LayerNorm decomposed)"),
    "lstm_tagger": spec(
        "recurrent", "sequence tagging (embedding + 2-layer bidirectional nn.LSTM)",
        [tokens("input_ids", (1, 64), 10000)], LOGITS, opset=14, init="seq",
        note="hidden 256"),
    "gru_speech": spec(
        "recurrent", "acoustic model (2-layer nn.GRU over 100 frames of 80 features)",
        [img((1, 100, 80), "features", "normal")], LOGITS, opset=14, init="seq",
        note="hidden 256"),
    "tcn_kws": spec(
        "audio", "keyword spotting (1-D residual TCN: Conv1d + BatchNorm1d)",
        [img((1, 40, 101), "mfcc", "normal")], LOGITS, init="nd",
        note="40 MFCC x 101 frames, 12 classes"),
}


# ---------------------------------------------------------------------------
# model construction

if mpm.torch is not None:
    torch, nn = mpm.torch, mpm.nn

    class FirstOutput(nn.Module):
        """Segmentation models return {'out': ...}; RAFT a list of flows
        (one per update); this returns the one tensor."""

        def __init__(self, model, key):
            super().__init__()
            self.model, self.key = model, key

        def forward(self, *x):
            y = self.model(*x)
            return y[self.key]

    class RaftWrapper(nn.Module):
        def __init__(self, model, updates):
            super().__init__()
            self.model, self.updates = model, updates

        def forward(self, a, b):
            return self.model(a, b, num_flow_updates=self.updates)[-1]

    class BertEncoder(nn.Module):
        def __init__(self, vocab=30522, max_pos=512, d=256, heads=4, ffn=1024, layers=4):
            super().__init__()
            self.word_embeddings = nn.Embedding(vocab, d, padding_idx=0)
            self.position_embeddings = nn.Embedding(max_pos, d)
            self.token_type_embeddings = nn.Embedding(2, d)
            self.register_buffer("position_ids", torch.arange(max_pos).unsqueeze(0), persistent=False)
            self.embed_ln = nn.LayerNorm(d, eps=1e-12)
            layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout=0.0, activation="gelu",
                                               batch_first=True, layer_norm_eps=1e-12)
            self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.pooler = nn.Linear(d, d)

        def forward(self, input_ids, attention_mask):
            n = input_ids.shape[-1]
            x = (self.word_embeddings(input_ids) + self.position_embeddings(self.position_ids[:, :n])
                 + self.token_type_embeddings(torch.zeros_like(input_ids)))
            x = self.encoder(self.embed_ln(x), src_key_padding_mask=attention_mask == 0)
            return x, torch.tanh(self.pooler(x[:, 0]))

    class GPTDecoder(nn.Module):
        """Decoder-only: pre-LN nn.TransformerEncoderLayer with a causal
        mask, final LayerNorm, LM head tied to the token embedding."""

        def __init__(self, vocab=16384, ctx=256, d=256, heads=4, ffn=1024, layers=4):
            super().__init__()
            self.wte = nn.Embedding(vocab, d)
            self.wpe = nn.Embedding(ctx, d)
            layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout=0.0, activation="gelu",
                                               batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.ln_f = nn.LayerNorm(d)
            self.register_buffer("mask", mpm.causal_mask(ctx), persistent=False)

        def forward(self, input_ids):
            n = input_ids.shape[-1]
            pos = torch.arange(n, device=input_ids.device).unsqueeze(0)
            x = self.wte(input_ids) + self.wpe(pos)
            x = self.blocks(x, mask=self.mask[:n, :n])
            return self.ln_f(x) @ self.wte.weight.T

    class GPTStep(nn.Module):
        """One generated token with a KV cache: past_keys / past_values
        [layers, B, heads, T, head_dim] in, logits of the new token and the
        caches with it appended out. Same layout as GPTDecoder (pre-LN,
        GELU MLP, tied head), attention spelled out."""

        def __init__(self, vocab=16384, ctx=256, d=256, heads=4, ffn=1024, layers=4):
            super().__init__()
            self.heads, self.d = heads, d
            self.wte = nn.Embedding(vocab, d)
            self.wpe = nn.Embedding(ctx, d)
            self.ln1 = nn.ModuleList(nn.LayerNorm(d) for _ in range(layers))
            self.qkv = nn.ModuleList(nn.Linear(d, 3 * d) for _ in range(layers))
            self.proj = nn.ModuleList(nn.Linear(d, d) for _ in range(layers))
            self.ln2 = nn.ModuleList(nn.LayerNorm(d) for _ in range(layers))
            self.mlp = nn.ModuleList(nn.Sequential(nn.Linear(d, ffn), nn.GELU(), nn.Linear(ffn, d))
                                     for _ in range(layers))
            self.ln_f = nn.LayerNorm(d)

        def forward(self, input_ids, past_keys, past_values):
            b = input_ids.shape[0]
            t = past_keys.shape[3]
            h, hd = self.heads, self.d // self.heads
            pos = torch.full_like(input_ids, 0) + t
            x = self.wte(input_ids) + self.wpe(pos)  # [B, 1, d]
            keys, values = [], []
            for i in range(len(self.qkv)):
                q, k, v = self.qkv[i](self.ln1[i](x)).split(self.d, dim=-1)
                q = q.view(b, 1, h, hd).transpose(1, 2)
                k = torch.cat([past_keys[i], k.view(b, 1, h, hd).transpose(1, 2)], dim=2)
                v = torch.cat([past_values[i], v.view(b, 1, h, hd).transpose(1, 2)], dim=2)
                keys.append(k)
                values.append(v)
                w = ((q * float(hd) ** -0.5) @ k.transpose(-1, -2)).softmax(-1)
                a = (w @ v).transpose(1, 2).reshape(b, 1, self.d)
                x = x + self.proj[i](a)
                x = x + self.mlp[i](self.ln2[i](x))
            logits = self.ln_f(x) @ self.wte.weight.T
            return logits, torch.stack(keys), torch.stack(values)

    class EncDec(nn.Module):
        def __init__(self, vocab=8000, ctx=128, d=256, heads=4, ffn=1024, layers=3):
            super().__init__()
            self.src_emb = nn.Embedding(vocab, d)
            self.tgt_emb = nn.Embedding(vocab, d)
            self.positional_embedding = nn.Parameter(torch.empty(ctx, d))
            self.transformer = nn.Transformer(d, heads, layers, layers, ffn, dropout=0.0, batch_first=True)
            self.head = nn.Linear(d, vocab)
            self.register_buffer("mask", mpm.causal_mask(ctx), persistent=False)

        def forward(self, src_ids, tgt_ids):
            s, t = src_ids.shape[-1], tgt_ids.shape[-1]
            src = self.src_emb(src_ids) * 16.0 + self.positional_embedding[:s]
            tgt = self.tgt_emb(tgt_ids) * 16.0 + self.positional_embedding[:t]
            y = self.transformer(src, tgt, tgt_mask=self.mask[:t, :t])
            return self.head(y)

    class LSTMTagger(nn.Module):
        def __init__(self, vocab=10000, emb=128, hidden=256, tags=20):
            super().__init__()
            self.emb = nn.Embedding(vocab, emb)
            self.lstm = nn.LSTM(emb, hidden, num_layers=2, batch_first=True, bidirectional=True)
            self.head = nn.Linear(2 * hidden, tags)

        def forward(self, input_ids):
            y, _ = self.lstm(self.emb(input_ids) * 20.0)
            return self.head(y)

    class GRUSpeech(nn.Module):
        def __init__(self, feats=80, hidden=256, classes=32):
            super().__init__()
            self.gru = nn.GRU(feats, hidden, num_layers=2, batch_first=True)
            self.head = nn.Linear(hidden, classes)

        def forward(self, features):
            y, _ = self.gru(features)
            return self.head(y)

    class TCNBlock(nn.Module):
        def __init__(self, c1, c2, stride, dilation):
            super().__init__()
            self.conv1 = nn.Conv1d(c1, c2, 9, stride, padding=4 * dilation, dilation=dilation, bias=False)
            self.bn1 = nn.BatchNorm1d(c2)
            self.conv2 = nn.Conv1d(c2, c2, 9, 1, padding=4, bias=False)
            self.bn2 = nn.BatchNorm1d(c2)
            self.skip = (nn.Sequential(nn.Conv1d(c1, c2, 1, stride, bias=False), nn.BatchNorm1d(c2))
                         if stride != 1 or c1 != c2 else nn.Identity())

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(y)) + self.skip(x))

    class TCNKWS(nn.Module):
        def __init__(self, mfcc=40, classes=12):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv1d(mfcc, 64, 3, padding=1, bias=False), nn.BatchNorm1d(64),
                                      nn.ReLU())
            self.blocks = nn.Sequential(TCNBlock(64, 96, 2, 1), TCNBlock(96, 96, 1, 2),
                                        TCNBlock(96, 128, 2, 1), TCNBlock(128, 128, 1, 4))
            self.head = nn.Linear(128, classes)

        def forward(self, mfcc):
            y = self.blocks(self.stem(mfcc))
            return self.head(y.mean(-1))


def build(name, entry):
    import torchvision.models as tvm
    import torchvision.models.detection as tvd
    import torchvision.models.optical_flow as tvo
    import torchvision.models.segmentation as tvs
    import torchvision.models.video as tvv

    kw = entry.get("kwargs", {})
    fam = entry["family"]
    if fam == "classification":
        if name == "vit_b_16":
            return tvm.vit_b_16(weights=None, image_size=entry["inputs"][0]["shape"][-1])
        return getattr(tvm, name)(weights=None, **kw)
    if fam == "segmentation":
        m = getattr(tvs, name)(weights=None, weights_backbone=None, aux_loss=False, **kw)
        return FirstOutput(m, "out")
    if fam == "detection":
        return getattr(tvd, name)(weights=None, weights_backbone=None, **kw)
    if fam == "video":
        return getattr(tvv, name)(weights=None, **kw)
    if name == "raft_small":
        return RaftWrapper(tvo.raft_small(weights=None), 4)
    return {"bert_encoder": BertEncoder, "gpt_decoder": GPTDecoder, "gpt_decoder_step": GPTStep,
            "transformer_encdec": EncDec, "transformer_encdec_op14": EncDec, "lstm_tagger": LSTMTagger,
            "gru_speech": GRUSpeech, "tcn_kws": TCNKWS}[name]()


# ---------------------------------------------------------------------------
# initialisation


def reinit_nd(model, example):
    """make_models.reinit's scheme for any convolution / BatchNorm dimension
    (Conv1d/3d, BatchNorm1d/3d: video and audio models): kaiming conv,
    N(0, 1/fan_in) linear, BN affine random, running statistics measured on
    two random batches like `example` (a function of a generator returning
    the model's inputs, batch 2), then perturbed."""
    convs = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
    bn_types = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, convs):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.uniform_(m.bias, -0.1, 0.1)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 1.0 / math.sqrt(m.in_features))
                if m.bias is not None:
                    nn.init.uniform_(m.bias, -0.1, 0.1)
            elif isinstance(m, bn_types):
                nn.init.uniform_(m.weight, 0.5, 1.5)
                nn.init.normal_(m.bias, 0.0, 0.1)
    bns = [m for m in model.modules() if isinstance(m, bn_types)]
    model.eval()
    saved = []
    for m in bns:
        saved.append(m.momentum)
        m.reset_running_stats()
        m.momentum = None
        m.train()
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for _ in range(2):
            model(*example(gen))
        for m, mom in zip(bns, saved):
            m.momentum = mom
            var = m.running_var.clamp_min(1e-3)
            var *= torch.empty_like(var).uniform_(0.8, 1.25)
            m.running_mean += torch.randn_like(m.running_mean) * 0.1 * var.sqrt()
            m.running_var.copy_(var)
    model.eval()


# Detection heads: after make_models.reinit the last layers of the heads give
# logits far from the range the post-processing expects (every sigmoid score
# 1.0, so NMS sorts ties; box deltas so large that every box is the whole
# image; no detection left above the threshold). Each listed layer is
# rescaled so that its output (less the bias) has the given standard
# deviation on a random image, and its bias set to the given value.
# (module name prefix, std, bias)
RPN_ROI = [("rpn.head.cls_logits", 2.0, 0.0), ("rpn.head.bbox_pred", 0.2, 0.0),
           ("roi_heads.box_predictor.cls_score", 2.0, 0.0), ("roi_heads.box_predictor.bbox_pred", 0.2, 0.0)]
HEADS = {
    "fasterrcnn_mobilenet_v3_large_320_fpn": RPN_ROI,
    "fasterrcnn_resnet50_fpn": RPN_ROI,
    "maskrcnn_resnet50_fpn": RPN_ROI + [("roi_heads.mask_predictor.mask_fcn_logits", 2.0, 0.0)],
    "keypointrcnn_resnet50_fpn": RPN_ROI + [("roi_heads.keypoint_predictor.kps_score_lowres", 2.0, 0.0)],
    "retinanet_resnet50_fpn": [("head.classification_head.cls_logits", 1.0, -4.0),
                               ("head.regression_head.bbox_reg", 0.2, 0.0)],
    "fcos_resnet50_fpn": [("head.classification_head.cls_logits", 1.0, -3.0),
                          ("head.regression_head.bbox_reg", 0.5, 0.0),
                          ("head.regression_head.bbox_ctrness", 1.0, 0.0)],
    "ssd300_vgg16": [("head.classification_head.module_list.", 2.0, 0.0),
                     ("head.regression_head.module_list.", 0.2, 0.0)],
}


def calibrate_heads(name, model, shape):
    """Rescale the layers HEADS[name] lists (see there); two passes, as
    rescaling the proposal layers changes what the RoI heads see."""
    if not HEADS.get(name):
        return
    targets = []
    for mname, m in model.named_modules():
        for prefix, std, bias in HEADS.get(name, []):
            if (mname == prefix or (prefix.endswith(".") and mname.startswith(prefix))) and hasattr(m, "weight"):
                targets.append((mname, m, std, bias))
    if not targets:
        raise AssertionError(f"{name}: no head layer matches {HEADS[name]}")
    gen = torch.Generator().manual_seed(4321)
    for _ in range(2):
        seen = {}
        hooks = [m.register_forward_hook(
            lambda mod, inp, out, key=mname: seen.setdefault(key, []).append(
                (out - (mod.bias.view(1, -1, *([1] * (out.dim() - 2))) if mod.bias is not None else 0))
                .flatten()))
            for mname, m, _, _ in targets]
        with torch.no_grad():
            model(torch.rand((1,) + tuple(shape[1:]), generator=gen))
        for h in hooks:
            h.remove()
        with torch.no_grad():
            for mname, m, std, bias in targets:
                got = torch.cat(seen[mname]).std() if mname in seen else None
                if got is not None and got > 0:
                    m.weight.mul_(std / got)
                if m.bias is not None:
                    m.bias.fill_(bias)


def initialise(name, entry, model):
    init = entry["init"]
    shape = tuple(entry["inputs"][0]["shape"])
    model.eval()  # make_models.reinit returns early (in train mode) for a model without BN
    # LayerNorm / embeddings first: reinit measures BN statistics afterwards.
    mpm.init_transformer(model)
    if name == "convnext_tiny":
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n.endswith("layer_scale"):
                    p.uniform_(0.1, 0.3)
    if init == "tv":
        mm.reinit(model, name, shape)
    elif init == "tv_raw":
        # make_models.reinit feeds raw U(0,1) images (no ImageNet
        # normalisation) for the SSDlite key: detection models normalise
        # their input themselves. RAFT takes two images: give it a view
        # that takes one batch and feeds it as both.
        target = model
        if name == "raft_small":
            class Twice(nn.Module):
                def __init__(self, m):
                    super().__init__()
                    self.m = m

                def forward(self, x):
                    return self.m(x, x.flip(-1))
            target = Twice(model)
        mm.reinit(target, "ssdlite320_mobilenet_v3_large", shape)
        calibrate_heads(name, model, shape)
    elif init == "nd":
        def example(gen):
            return [torch.randn((2,) + shape[1:], generator=gen)]
        reinit_nd(model, example)
    elif init == "seq":
        # PyTorch's default Linear init, as make_paper_models. LSTM / GRU
        # weights: N(0, 1/fan_in) instead of U(+-1/sqrt(hidden)), and the
        # head N(0, 1/fan_in), so that gates and outputs are of order one
        # (the default leaves the logits near 0.05).
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, (nn.LSTM, nn.GRU)):
                    for pname, p in m.named_parameters():
                        if pname.startswith("weight_"):
                            nn.init.normal_(p, 0.0, 1.0 / math.sqrt(p.shape[1]))
                        else:
                            nn.init.uniform_(p, -0.1, 0.1)
                    head = getattr(model, "head", None)
                    if isinstance(head, nn.Linear):
                        nn.init.normal_(head.weight, 0.0, 1.0 / math.sqrt(head.in_features))
    else:
        raise ValueError(f"{name}: unknown init {init!r}")
    model.eval()


# ---------------------------------------------------------------------------
# inputs (shared with bench/zoo.py)


def make_inputs(name, entry, k=0):
    """One seeded data set for a zoo model, as numpy arrays in input order.
    Value kinds as make_reference_data.manifest_inputs (uniform, normal,
    token_ids, mask, ...), plus `imagenet` (U(0,1) then ImageNet mean/std
    normalised, as make_reference_data does for the suite's classifiers).
    Each input has its own generator, seeded from "<model>/<input>" and k
    (make_reference_data.rng_for), so the values do not depend on the
    other inputs."""
    import numpy as np
    import make_reference_data as mrd

    out = []
    for spec_ in entry["inputs"]:
        key = f"{name}/{spec_['name']}"
        shape = tuple(spec_["shape"])
        if spec_["values"]["kind"] == "imagenet":
            bshape = (1, 3) + (1,) * (len(shape) - 2)
            x = mrd.rng_for(key, k).random(shape, dtype=np.float32)
            x = (x - mrd.IMAGENET_MEAN.reshape(bshape)) / mrd.IMAGENET_STD.reshape(bshape)
            out.append(x.astype(spec_["dtype"]))
        else:
            out.append(mrd.manifest_inputs(key, {"inputs": [spec_]}, k)[0])
    return out


# ---------------------------------------------------------------------------
# export (in a child process)


def output_names(entry, y):
    if entry["family"] == "detection" and list(y[0].keys()) != entry["outputs"]:
        raise AssertionError(f"detector outputs {list(y[0].keys())}, the table says {entry['outputs']}")
    return list(entry["outputs"])


def stats(t):
    t = t.float()
    if t.numel() == 0:
        return "empty"
    return (f"{list(t.shape)} mean {t.mean():.4g} std {t.std() if t.numel() > 1 else 0:.4g} "
            f"absmax {t.abs().max():.4g}")


def eager(name):
    """(model, input tensors, output names, output tensors, ms): the model
    built and initialised exactly as for the export, run once by PyTorch on
    make_inputs' data (bench/zoo.py --check --torch-ref uses this too)."""
    import numpy as np

    entry = ZOO[name]
    torch.manual_seed(0)
    model = build(name, entry)
    initialise(name, entry, model)
    inputs = tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in make_inputs(name, entry))
    t0 = time.time()
    with torch.no_grad():
        y = model(*inputs)
    ms = (time.time() - t0) * 1e3
    names = output_names(entry, y)
    if entry["family"] == "detection":
        flat = [y[0][k] for k in names]
    else:
        flat = list(y) if isinstance(y, (tuple, list)) else [y]
    return model, inputs, names, flat, ms


def export_child(name, out, opset_override):
    import onnx

    torch.set_num_threads(1)  # the machine is shared
    entry = ZOO[name]
    opset = opset_override or entry["opset"]
    path = os.path.join(out, name + ".onnx")
    model, inputs, names, flat, eager_ms = eager(name)
    eager_stats = {n: stats(t) for n, t in zip(names, flat)}
    for n, s in eager_stats.items():
        log(f"  eager {n}: {s}")
    log(f"  eager run (1 thread, first call): {eager_ms:.0f} ms")

    tmp = path + ".tmp"
    # nn.TransformerEncoderLayer and nn.MultiheadAttention take their fused
    # fast paths (aten::_transformer_encoder_layer_fwd,
    # _native_multi_head_attention: no ONNX symbolic) under no_grad: export
    # models that have them with grad on.
    fast_path = any(isinstance(m, (nn.MultiheadAttention, nn.TransformerEncoderLayer))
                    for m in model.modules())
    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx = torch.enable_grad() if fast_path else torch.no_grad()
        with ctx:
            torch.onnx.export(model, inputs, tmp, opset_version=opset,
                              input_names=[i["name"] for i in entry["inputs"]],
                              output_names=names, do_constant_folding=True)
    onnx.checker.check_model(tmp)  # by path: works for large files too
    os.replace(tmp, path)
    m = onnx.load(path, load_external_data=False)
    rec = {"export_s": round(time.time() - t0, 1), "eager_ms_1thread": round(eager_ms, 1),
           "size_mb": round(os.path.getsize(path) / 1e6, 1), "nodes": len(m.graph.node),
           "opset": opset, "outputs": names, "eager": eager_stats,
           "ops": sorted({n.op_type for n in m.graph.node})}
    print("ZOO-RESULT " + json.dumps(rec), flush=True)


# ---------------------------------------------------------------------------


def manifest_json():
    models = {}
    for name, e in ZOO.items():
        models[name] = {
            "file": f"models/zoo/{name}.onnx", "family": e["family"], "task": e["task"],
            "opset": e["opset"], "inputs": e["inputs"],
            "outputs": e["outputs"],
        }
        if e.get("kwargs"):
            models[name]["builder_kwargs"] = e["kwargs"]
        if e["note"]:
            models[name]["note"] = e["note"]
    return {
        "about": "The Parallax model zoo: models outside the suite (scripts/model_manifest.json), made by "
                 "scripts/make_zoo.py into models/zoo/<name>.onnx, with every input's name, dtype, shape "
                 "and how to make its values (kinds: imagenet = U(0,1) then ImageNet mean/std normalised; "
                 "uniform {low, high}; normal {mean, std}; token_ids [low, high); mask = ones for the first "
                 "`valid` positions). bench/zoo.py makes the inputs from this file (make_zoo.make_inputs) "
                 "and compares Parallax with ONNX Runtime. Detection outputs have a data-dependent "
                 "number of rows.",
        "models": models,
    }


def write_manifest():
    text = json.dumps(manifest_json(), indent=1)
    # one line per list of numbers (shapes)
    text = re.sub(r"\[\s*(-?[\d.]+(?:,\s*-?[\d.]+)*)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    old = open(MANIFEST).read() if os.path.exists(MANIFEST) else None
    if old != text + "\n":
        with open(MANIFEST, "w") as f:
            f.write(text + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--force", action="store_true", help="re-export existing models")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--opset", type=int, default=0, help="override every model's opset")
    ap.add_argument("--list", action="store_true", help="list the zoo and exit")
    ap.add_argument("--timeout", type=float, default=240,
                    help="seconds per model (build, re-initialise, export, check)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        export_child(args.child, args.out, args.opset)
        return

    suite = set(json.load(open(SUITE_MANIFEST))["models"])
    dup = suite & set(ZOO)
    assert not dup, f"already in the suite: {dup}"
    if args.list:
        for name, e in ZOO.items():
            shapes = " ".join(f"{i['name']}:{i['dtype']}{i['shape']}" for i in e["inputs"])
            log(f"{name:40s} {e['family']:15s} opset {e['opset']:2d}  {shapes}"
                + (f"  ({e['note']})" if e["note"] else ""))
        log(f"{len(ZOO)} models")
        return
    write_manifest()
    if mpm.torch is None:
        sys.exit("torch is not importable: use /usr/bin/python3 (Debian's python3-torch)")

    names = list(ZOO)
    if args.only:
        want = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in want if n not in ZOO]
        if bad:
            ap.error(f"unknown model(s) {bad}; known: {names}")
        names = want
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, "export_log.json")
    try:
        records = json.load(open(log_path))
    except (OSError, ValueError):
        records = {}

    failures = []
    t_all = time.time()
    for name in names:
        path = os.path.join(args.out, name + ".onnx")
        if os.path.exists(path) and not args.force:
            log(f"{name}: present, skipped")
            continue
        log(f"{name}: exporting")
        t0 = time.time()
        cmd = [sys.executable, os.path.abspath(__file__), "--child", name, "--out", args.out,
               "--opset", str(args.opset)]
        rec = None
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            for line in p.stdout.splitlines():
                if line.startswith("ZOO-RESULT "):
                    rec = json.loads(line[len("ZOO-RESULT "):])
                else:
                    log(line)
            if p.returncode != 0 or rec is None:
                err = [l for l in p.stderr.strip().splitlines() if l.strip()]
                why = err[-1] if err else f"exit status {p.returncode}"
                sys.stderr.write("\n".join(err[-15:]) + "\n")
                raise RuntimeError(why)
        except subprocess.TimeoutExpired:
            why = f"export took over {args.timeout:.0f} s: abandoned"
            failures.append((name, why))
            records[name] = {"error": why, "seconds": round(time.time() - t0, 1)}
        except RuntimeError as e:
            failures.append((name, str(e)))
            records[name] = {"error": str(e)[:500], "seconds": round(time.time() - t0, 1)}
        if os.path.exists(path + ".tmp"):
            os.remove(path + ".tmp")
        if rec is None:
            log(f"{name}: FAILED after {time.time() - t0:.1f}s: {failures[-1][1]}")
        else:
            rec["seconds"] = round(time.time() - t0, 1)
            records[name] = rec
            log(f"{name}: done in {rec['seconds']:.1f}s ({mm.describe(path)}; {rec['nodes']} nodes)")
        with open(log_path, "w") as f:
            json.dump(records, f, indent=1)
    log(f"total {time.time() - t_all:.1f}s")
    for name, why in failures:
        log(f"FAILED {name}: {why}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
