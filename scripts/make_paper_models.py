#!/usr/bin/python3
"""Export the paper's model set (detection, speech, text) to ONNX.

Run with the system Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 scripts/make_paper_models.py [--out models] [--force] [--only a,b]

Each model is written here in plain torch, following the layer layout of the
original (Ultralytics YOLOv8, OpenAI Whisper, OpenAI/HF CLIP, HF DistilBERT);
nothing is downloaded and no pretrained weights are used. Weights are random
but well scaled, seeded with torch.manual_seed(0):

  * Linear / Conv: PyTorch's default init (kaiming-uniform, a = sqrt(5))
  * embeddings (token, learned positions): N(0, 0.02), as in the originals
  * LayerNorm: gamma = 1 + N(0, 0.1), beta = N(0, 0.05), so that a kernel
    ignoring either is caught by the reference comparison
  * YOLOv8's BatchNorm: gamma ~U(0.5, 1.5), beta ~N(0, 0.1), running
    statistics measured on random images (as in make_models.py), so every
    SiLU sees inputs of order one

Models (inputs and how to make their values: scripts/model_manifest.json):

  yolov8n               images f32[1,3,640,640] -> output0 f32[1,84,8400]
  whisper_tiny_encoder  mel f32[1,80,3000] -> encoder_out f32[1,1500,384]
  whisper_tiny_decoder  tokens i64[1,4], encoder_out f32[1,1500,384]
                        -> logits f32[1,4,51865]
  clip_text             input_ids i64[1,77] -> last_hidden f32[1,77,512],
                        text_embeds f32[1,512]
  distilbert            input_ids i64[1,128], attention_mask i64[1,128]
                        -> last_hidden_state f32[1,128,768]

Models already present in --out are skipped unless --force is given.
"""

import argparse
import math
import os
import sys
import time
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 17  # LayerNormalization is a single op from 17 on


def log(msg):
    print(msg, flush=True)


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # reported per model by main()
    torch = None
    nn = None


if torch is not None:

    # -----------------------------------------------------------------------
    # YOLOv8 (Ultralytics layout: model.yaml of yolov8, scale n)

    class ConvBnSiLU(nn.Module):
        """Ultralytics `Conv`: conv without bias, BN (eps 1e-3), SiLU."""

        def __init__(self, c1, c2, k=1, s=1):
            super().__init__()
            self.conv = nn.Conv2d(c1, c2, k, s, k // 2, bias=False)
            self.bn = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.03)
            self.act = nn.SiLU()

        def forward(self, x):
            return self.act(self.bn(self.conv(x)))

    class Bottleneck(nn.Module):
        def __init__(self, c, shortcut):
            super().__init__()
            self.cv1 = ConvBnSiLU(c, c, 3)
            self.cv2 = ConvBnSiLU(c, c, 3)
            self.add = shortcut

        def forward(self, x):
            y = self.cv2(self.cv1(x))
            return x + y if self.add else y

    class C2f(nn.Module):
        """CSP bottleneck with two convolutions: split the 1x1 conv's output
        in halves, chain n bottlenecks on the second half and concatenate
        every intermediate result (the export form uses split, not chunk)."""

        def __init__(self, c1, c2, n, shortcut):
            super().__init__()
            self.c = c2 // 2
            self.cv1 = ConvBnSiLU(c1, 2 * self.c)
            self.cv2 = ConvBnSiLU((2 + n) * self.c, c2)
            self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

        def forward(self, x):
            y = list(self.cv1(x).split((self.c, self.c), 1))
            for m in self.m:
                y.append(m(y[-1]))
            return self.cv2(torch.cat(y, 1))

    class SPPF(nn.Module):
        """Spatial pyramid pooling, fast: three chained 5x5 max pools."""

        def __init__(self, c1, c2, k=5):
            super().__init__()
            c = c1 // 2
            self.cv1 = ConvBnSiLU(c1, c)
            self.cv2 = ConvBnSiLU(4 * c, c2)
            self.m = nn.MaxPool2d(k, 1, k // 2)

        def forward(self, x):
            y = [self.cv1(x)]
            for _ in range(3):
                y.append(self.m(y[-1]))
            return self.cv2(torch.cat(y, 1))

    class DFL(nn.Module):
        """Distribution focal loss decoding: the expected value of a softmax
        over reg_max bins, as a fixed 1x1 conv with weights 0..reg_max-1."""

        def __init__(self, reg_max=16):
            super().__init__()
            self.reg_max = reg_max
            self.conv = nn.Conv2d(reg_max, 1, 1, bias=False).requires_grad_(False)
            self.conv.weight.data[:] = torch.arange(reg_max, dtype=torch.float).view(1, reg_max, 1, 1)

        def forward(self, x):
            b, _, a = x.shape
            x = x.view(b, 4, self.reg_max, a).transpose(2, 1).softmax(1)
            return self.conv(x).view(b, 4, a)

    class Detect(nn.Module):
        """Decoupled anchor-free head: per level, a box branch (4 x reg_max
        logits) and a class branch; decoded in the graph to xywh boxes in
        pixels and class probabilities, [B, 4 + nc, anchors]."""

        def __init__(self, nc, ch, strides, image_size):
            super().__init__()
            self.nc, self.reg_max = nc, 16
            self.no = nc + 4 * self.reg_max
            c2 = max(16, ch[0] // 4, 4 * self.reg_max)
            c3 = max(ch[0], min(nc, 100))
            self.cv2 = nn.ModuleList(
                nn.Sequential(ConvBnSiLU(c, c2, 3), ConvBnSiLU(c2, c2, 3),
                              nn.Conv2d(c2, 4 * self.reg_max, 1)) for c in ch)
            self.cv3 = nn.ModuleList(
                nn.Sequential(ConvBnSiLU(c, c3, 3), ConvBnSiLU(c3, c3, 3),
                              nn.Conv2d(c3, nc, 1)) for c in ch)
            self.dfl = DFL(self.reg_max)
            # Anchor centres and strides are fixed by the input size; the
            # original builds them on the first call, which a trace turns
            # into the same constants.
            points, stride_col = [], []
            for s in strides:
                h = w = image_size // s
                sy, sx = torch.meshgrid(torch.arange(h) + 0.5, torch.arange(w) + 0.5, indexing="ij")
                points.append(torch.stack((sx, sy), -1).view(-1, 2))
                stride_col.append(torch.full((h * w, 1), float(s)))
            self.register_buffer("anchors", torch.cat(points).T.unsqueeze(0))  # [1, 2, A]
            self.register_buffer("strides", torch.cat(stride_col).T)  # [1, A]

        def forward(self, feats):
            b = feats[0].shape[0]
            x = torch.cat([torch.cat((self.cv2[i](f), self.cv3[i](f)), 1).view(b, self.no, -1)
                           for i, f in enumerate(feats)], 2)
            box, cls = x.split((4 * self.reg_max, self.nc), 1)
            lt, rb = self.dfl(box).chunk(2, 1)
            x1y1 = self.anchors - lt
            x2y2 = self.anchors + rb
            xywh = torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * self.strides
            return torch.cat((xywh, cls.sigmoid()), 1)

    class YOLOv8(nn.Module):
        def __init__(self, width=0.25, depth=0.33, nc=80, image_size=640):
            super().__init__()

            def ch(c):
                return int(math.ceil(min(c, 1024) * width / 8) * 8)

            def n(k):
                return max(round(k * depth), 1)

            # backbone
            self.b0 = ConvBnSiLU(3, ch(64), 3, 2)                # P1/2
            self.b1 = ConvBnSiLU(ch(64), ch(128), 3, 2)          # P2/4
            self.b2 = C2f(ch(128), ch(128), n(3), True)
            self.b3 = ConvBnSiLU(ch(128), ch(256), 3, 2)         # P3/8
            self.b4 = C2f(ch(256), ch(256), n(6), True)
            self.b5 = ConvBnSiLU(ch(256), ch(512), 3, 2)         # P4/16
            self.b6 = C2f(ch(512), ch(512), n(6), True)
            self.b7 = ConvBnSiLU(ch(512), ch(1024), 3, 2)        # P5/32
            self.b8 = C2f(ch(1024), ch(1024), n(3), True)
            self.b9 = SPPF(ch(1024), ch(1024))
            # neck: FPN top-down, then PAN bottom-up
            self.up = nn.Upsample(scale_factor=2, mode="nearest")
            self.h12 = C2f(ch(1024) + ch(512), ch(512), n(3), False)
            self.h15 = C2f(ch(512) + ch(256), ch(256), n(3), False)   # P3 out
            self.h16 = ConvBnSiLU(ch(256), ch(256), 3, 2)
            self.h18 = C2f(ch(256) + ch(512), ch(512), n(3), False)   # P4 out
            self.h19 = ConvBnSiLU(ch(512), ch(512), 3, 2)
            self.h21 = C2f(ch(512) + ch(1024), ch(1024), n(3), False)  # P5 out
            self.detect = Detect(nc, (ch(256), ch(512), ch(1024)), (8, 16, 32), image_size)

        def forward(self, x):
            x = self.b2(self.b1(self.b0(x)))
            p3 = self.b4(self.b3(x))
            p4 = self.b6(self.b5(p3))
            p5 = self.b9(self.b8(self.b7(p4)))
            h12 = self.h12(torch.cat((self.up(p5), p4), 1))
            h15 = self.h15(torch.cat((self.up(h12), p3), 1))
            h18 = self.h18(torch.cat((self.h16(h15), h12), 1))
            h21 = self.h21(torch.cat((self.h19(h18), p5), 1))
            return self.detect([h15, h18, h21])

    # -----------------------------------------------------------------------
    # Transformers

    def attention(q, k, v, heads, mask=None, key_padding=None):
        """Scaled dot-product attention on [B, T, D] projections; `mask` is
        added to the scores ([Tq, Tk], -inf above the diagonal for causal),
        `key_padding` ([B, Tk], True = masked) is filled with float32's min
        as HF DistilBERT does. Spelled out so the export is the usual
        MatMul / Softmax / MatMul chain of these models' ONNX exports."""
        b, tq, d = q.shape
        tk = k.shape[1]
        hd = d // heads
        # The scale is a Python float (not derived from the traced shape),
        # so it exports as one constant Mul, not a Pow of shape values.
        scale = float(hd) ** -0.5
        q = q.view(b, tq, heads, hd).transpose(1, 2)
        k = k.view(b, tk, heads, hd).transpose(1, 2)
        v = v.view(b, tk, heads, hd).transpose(1, 2)
        s = (q * scale) @ k.transpose(-1, -2)
        if mask is not None:
            s = s + mask
        if key_padding is not None:
            s = s.masked_fill(key_padding.view(b, 1, 1, tk), torch.finfo(s.dtype).min)
        w = s.softmax(-1)
        return (w @ v).transpose(1, 2).reshape(b, tq, d)

    class MultiHeadAttention(nn.Module):
        def __init__(self, d, heads, key_bias=True):
            super().__init__()
            self.heads = heads
            self.q = nn.Linear(d, d)
            self.k = nn.Linear(d, d, bias=key_bias)  # Whisper's key has no bias
            self.v = nn.Linear(d, d)
            self.out = nn.Linear(d, d)

        def forward(self, x, xa=None, mask=None, key_padding=None):
            kv = x if xa is None else xa
            return self.out(attention(self.q(x), self.k(kv), self.v(kv), self.heads,
                                      mask, key_padding))

    class QuickGELU(nn.Module):
        def forward(self, x):
            return x * torch.sigmoid(1.702 * x)

    class PreLNBlock(nn.Module):
        """x += attn(ln(x)); [x += cross_attn(ln(x), xa)]; x += mlp(ln(x)).
        Whisper's ResidualAttentionBlock and CLIP's encoder layer."""

        def __init__(self, d, heads, mlp, act, cross=False, key_bias=True):
            super().__init__()
            self.attn_ln = nn.LayerNorm(d)
            self.attn = MultiHeadAttention(d, heads, key_bias)
            self.cross_ln = nn.LayerNorm(d) if cross else None
            self.cross = MultiHeadAttention(d, heads, key_bias) if cross else None
            self.mlp_ln = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, mlp), act, nn.Linear(mlp, d))

        def forward(self, x, xa=None, mask=None):
            x = x + self.attn(self.attn_ln(x), mask=mask)
            if self.cross is not None:
                x = x + self.cross(self.cross_ln(x), xa)
            return x + self.mlp(self.mlp_ln(x))

    def causal_mask(n):
        return torch.full((n, n), float("-inf")).triu(1)

    def sinusoids(length, channels, max_timescale=10000):
        """Whisper's encoder positions: sin in the first half of the
        channels, cos in the second, geometric timescales."""
        inc = math.log(max_timescale) / (channels // 2 - 1)
        inv = torch.exp(-inc * torch.arange(channels // 2))
        t = torch.arange(length)[:, None] * inv[None, :]
        return torch.cat([torch.sin(t), torch.cos(t)], dim=1)

    class WhisperEncoder(nn.Module):
        def __init__(self, n_mels=80, ctx=1500, d=384, heads=6, layers=4):
            super().__init__()
            self.conv1 = nn.Conv1d(n_mels, d, 3, padding=1)
            self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
            self.register_buffer("positional_embedding", sinusoids(ctx, d))
            self.blocks = nn.ModuleList(
                PreLNBlock(d, heads, 4 * d, nn.GELU(), key_bias=False) for _ in range(layers))
            self.ln_post = nn.LayerNorm(d)

        def forward(self, mel):
            x = F.gelu(self.conv1(mel))
            x = F.gelu(self.conv2(x)).permute(0, 2, 1)
            x = x + self.positional_embedding
            for blk in self.blocks:
                x = blk(x)
            return self.ln_post(x)

    class WhisperDecoder(nn.Module):
        """One full pass of the decoder over the tokens so far (no KV cache):
        causal self-attention, cross-attention over the encoder output,
        logits from the token embedding (tied weights)."""

        def __init__(self, vocab=51865, ctx=448, d=384, heads=6, layers=4):
            super().__init__()
            self.token_embedding = nn.Embedding(vocab, d)
            self.positional_embedding = nn.Parameter(torch.empty(ctx, d))
            self.blocks = nn.ModuleList(
                PreLNBlock(d, heads, 4 * d, nn.GELU(), cross=True, key_bias=False)
                for _ in range(layers))
            self.ln = nn.LayerNorm(d)
            self.register_buffer("mask", causal_mask(ctx), persistent=False)

        def forward(self, tokens, encoder_out):
            n = tokens.shape[-1]
            x = self.token_embedding(tokens) + self.positional_embedding[:n]
            for blk in self.blocks:
                x = blk(x, encoder_out, self.mask[:n, :n])
            x = self.ln(x)
            return x @ self.token_embedding.weight.T

    class CLIPText(nn.Module):
        def __init__(self, vocab=49408, ctx=77, d=512, heads=8, layers=12, proj=512):
            super().__init__()
            self.token_embedding = nn.Embedding(vocab, d)
            self.position_embedding = nn.Embedding(ctx, d)
            self.register_buffer("position_ids", torch.arange(ctx).unsqueeze(0), persistent=False)
            self.layers = nn.ModuleList(
                PreLNBlock(d, heads, 4 * d, QuickGELU()) for _ in range(layers))
            self.final_layer_norm = nn.LayerNorm(d)
            self.text_projection = nn.Linear(d, proj, bias=False)
            self.register_buffer("mask", causal_mask(ctx), persistent=False)

        def forward(self, input_ids):
            n = input_ids.shape[-1]
            x = self.token_embedding(input_ids) + self.position_embedding(self.position_ids[:, :n])
            for blk in self.layers:
                x = blk(x, mask=self.mask[:n, :n])
            x = self.final_layer_norm(x)
            # The end-of-text token has the largest id in CLIP's vocabulary:
            # pool the hidden state at its (first) position.
            eot = input_ids.to(torch.int).argmax(dim=-1)
            pooled = x[torch.arange(x.shape[0]), eot]
            return x, self.text_projection(pooled)

    class DistilBertBlock(nn.Module):
        """Post-LN: x = LN(x + attn(x)); x = LN(x + ffn(x)), eps 1e-12."""

        def __init__(self, d, heads, ffn):
            super().__init__()
            self.attention = MultiHeadAttention(d, heads)
            self.sa_layer_norm = nn.LayerNorm(d, eps=1e-12)
            self.ffn = nn.Sequential(nn.Linear(d, ffn), nn.GELU(), nn.Linear(ffn, d))
            self.output_layer_norm = nn.LayerNorm(d, eps=1e-12)

        def forward(self, x, key_padding):
            x = self.sa_layer_norm(x + self.attention(x, key_padding=key_padding))
            return self.output_layer_norm(x + self.ffn(x))

    class DistilBert(nn.Module):
        def __init__(self, vocab=30522, max_pos=512, d=768, heads=12, ffn=3072, layers=6):
            super().__init__()
            self.word_embeddings = nn.Embedding(vocab, d, padding_idx=0)
            self.position_embeddings = nn.Embedding(max_pos, d)
            self.register_buffer("position_ids", torch.arange(max_pos).unsqueeze(0), persistent=False)
            self.embed_ln = nn.LayerNorm(d, eps=1e-12)
            self.layers = nn.ModuleList(DistilBertBlock(d, heads, ffn) for _ in range(layers))

        def forward(self, input_ids, attention_mask):
            n = input_ids.shape[-1]
            x = self.word_embeddings(input_ids) + self.position_embeddings(self.position_ids[:, :n])
            x = self.embed_ln(x)
            key_padding = attention_mask == 0
            for blk in self.layers:
                x = blk(x, key_padding)
            return x


# ---------------------------------------------------------------------------
# initialisation


def init_transformer(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, 0.0, 0.02)
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(1.0 + 0.1 * torch.randn_like(m.weight))
                m.bias.copy_(0.05 * torch.randn_like(m.bias))
        for name, p in model.named_parameters():
            if name == "positional_embedding":
                nn.init.normal_(p, 0.0, 0.02)


def init_yolo(model, shape):
    """BN layers get random affine parameters and running statistics measured
    on random images (cumulative average over two batches), then perturbed,
    so that no layer is an identity and activations stay of order one."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias, 0.0, 0.1)
        # Class logits: Ultralytics starts them at log(5 / nc / (640 / s)^2)
        # (about -11, every probability ~1e-5); with random weights that
        # leaves nothing to compare, so spread them over sigmoid's slope.
        for seq in model.detect.cv3:
            nn.init.uniform_(seq[-1].bias, -4.0, 0.0)
        for seq in model.detect.cv2:
            nn.init.constant_(seq[-1].bias, 1.0)  # as Ultralytics' bias_init
    model.eval()
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for _ in range(2):
            model(torch.rand((2,) + tuple(shape[1:]), generator=gen))
        for m in bns:
            m.momentum = 0.03
            var = m.running_var.clamp_min(1e-3)
            var *= torch.empty_like(var).uniform_(0.8, 1.25)
            m.running_mean += torch.randn_like(m.running_mean) * 0.1 * var.sqrt()
            m.running_var.copy_(var)
    model.eval()


# ---------------------------------------------------------------------------
# model table: name -> (builder, example inputs, input names, output names)


def example_inputs(name):
    g = torch.Generator().manual_seed(1)
    if name == "yolov8n":
        return (torch.rand((1, 3, 640, 640), generator=g),)
    if name == "whisper_tiny_encoder":
        return (torch.randn((1, 80, 3000), generator=g),)
    if name == "whisper_tiny_decoder":
        return (torch.randint(0, 51865, (1, 4), generator=g),
                torch.randn((1, 1500, 384), generator=g))
    if name == "clip_text":
        ids = torch.zeros((1, 77), dtype=torch.long)
        ids[0, 0] = 49406  # start of text
        ids[0, 1:9] = torch.randint(0, 49406, (8,), generator=g)
        ids[0, 9] = 49407  # end of text
        return (ids,)
    if name == "distilbert":
        ids = torch.randint(1000, 30522, (1, 128), generator=g)
        mask = torch.ones((1, 128), dtype=torch.long)
        mask[0, 100:] = 0
        return (ids, mask)
    raise KeyError(name)


def build(name):
    if name == "yolov8n":
        model = YOLOv8()
        init_yolo(model, (1, 3, 640, 640))
        return model, ["images"], ["output0"]
    if name == "whisper_tiny_encoder":
        model = WhisperEncoder()
        init_transformer(model)
        return model, ["mel"], ["encoder_out"]
    if name == "whisper_tiny_decoder":
        model = WhisperDecoder()
        init_transformer(model)
        return model, ["tokens", "encoder_out"], ["logits"]
    if name == "clip_text":
        model = CLIPText()
        init_transformer(model)
        return model, ["input_ids"], ["last_hidden", "text_embeds"]
    if name == "distilbert":
        model = DistilBert()
        init_transformer(model)
        return model, ["input_ids", "attention_mask"], ["last_hidden_state"]
    raise KeyError(name)


MODELS = ["yolov8n", "whisper_tiny_encoder", "whisper_tiny_decoder", "clip_text", "distilbert"]


def export(name, path, opset):
    torch.manual_seed(0)
    model, input_names, output_names = build(name)
    model.eval()
    inputs = example_inputs(name)
    with torch.no_grad():
        ys = model(*inputs)
    for oname, y in zip(output_names, ys if isinstance(ys, tuple) else (ys,)):
        log(f"  eager {oname}{list(y.shape)}: mean {y.mean():.4f} std {y.std():.4f} "
            f"absmax {y.abs().max():.4g}")
    tmp = path + ".tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.no_grad():
            torch.onnx.export(model, inputs, tmp, opset_version=opset,
                              input_names=input_names, output_names=output_names,
                              do_constant_folding=True)
    import onnx

    onnx.checker.check_model(tmp)  # by path: the decoder is near protobuf's limit
    os.replace(tmp, path)


def describe(path):
    import onnx

    m = onnx.load(path, load_external_data=False)
    ops = sorted({n.op_type for n in m.graph.node})
    return (f"{len(m.graph.node)} nodes, opset {m.opset_import[0].version}, "
            f"{os.path.getsize(path) / 1e6:.1f} MB; ops {','.join(ops)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "models"))
    ap.add_argument("--force", action="store_true", help="re-export existing models")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--opset", type=int, default=OPSET)
    args = ap.parse_args()

    names = MODELS
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in names if n not in MODELS]
        if bad:
            ap.error(f"unknown model(s) {bad}; known: {MODELS}")

    os.makedirs(args.out, exist_ok=True)
    failures = []
    for name in names:
        path = os.path.join(args.out, name + ".onnx")
        if os.path.exists(path) and not args.force:
            log(f"{name}: present, skipped")
            continue
        if torch is None:
            log(f"{name}: SKIPPED: torch is not importable (use /usr/bin/python3 "
                f"with Debian's python3-torch)")
            continue
        log(f"{name}: exporting")
        t0 = time.time()
        try:
            export(name, path, args.opset)
        except Exception as e:  # keep going; report at the end
            import traceback

            traceback.print_exc()
            failures.append((name, f"{type(e).__name__}: {e}"))
            if os.path.exists(path + ".tmp"):
                os.remove(path + ".tmp")
            continue
        log(f"{name}: done in {time.time() - t0:.1f}s ({describe(path)})")

    for name, why in failures:
        log(f"FAILED {name}: {why}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
