"""Small ONNX audio models for the tests, exported from torch, and torch's own
activations of them as the reference.

  onnx_models.py export DIR       -> DIR/convwave.onnx, DIR/melformer.onnx (seeded weights)
  onnx_models.py export-bench DIR -> DIR/w2v2like.onnx: a wav2vec 2.0-shaped model (7 conv layers,
                                      320x downsampling, 4 transformer blocks of width 384; 5.9 M
                                      weights) for the memory/time table of docs/onnx-models.md
  onnx_models.py run DIR NAME IN.npy OUT.npz [IN2.npy OUT2.npz ...]
                                   -> the output of every hooked module of NAME on each IN,
                                      saved by torch module name

convwave: a 1-D conv net on the 16 kHz waveform [1, 1, n].
melformer: a conv front end over a log-mel [1, 1, mels, frames] (a 4-D map with
  a frequency axis), then a one-block transformer over time [1, frames, 16].
Both end in a time-pooled head, a layer without a time axis.
"""
import json
import sys

import numpy as np
import torch
from torch import nn

N_MELS = 20


class ConvWave(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 8, 64, stride=16)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv1d(8, 12, 8, stride=4)
        self.act2 = nn.ReLU()
        self.head = nn.Linear(12, 4)

    def forward(self, x):
        a = self.act2(self.conv2(self.act1(self.conv1(x))))
        return self.head(a.mean(dim=2))


class Block(nn.Module):
    """One pre-norm transformer block written out (torch 1.13's fused encoder layer does not export)."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.norm1(x)).reshape(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        w = torch.softmax(q @ k.transpose(-1, -2) / (d // h) ** 0.5, dim=-1)
        x = x + self.proj((w @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.ff(self.norm2(x))


class MelFormer(nn.Module):
    def __init__(self):
        super().__init__()
        self.front = nn.Conv2d(1, 4, 3, stride=(2, 2), padding=1)
        self.act = nn.ReLU()
        self.embed = nn.Linear(4 * (N_MELS // 2), 16)
        self.block = Block(16, 2)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        # x: [1, 1, mels, frames]; input log-mels are in dB, scaled to order 1 here.
        f = self.act(self.front(x / 40.0))
        b, c, m, t = f.shape
        z = self.embed(f.reshape(b, c * m, t).transpose(1, 2))
        z = self.block(z)
        return self.head(z.mean(dim=1))


class W2v2Like(nn.Module):
    """wav2vec 2.0's shape at a smaller width: conv feature encoder (strides 5,2,2,2,2,2,2) then transformer blocks."""

    def __init__(self, width=256, d=384, blocks=4):
        super().__init__()
        ks, ss = (10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2)
        self.features = nn.Sequential(*[nn.Sequential(nn.Conv1d(1 if i == 0 else width, width, k, stride=s), nn.GELU()) for i, (k, s) in enumerate(zip(ks, ss))])
        self.project = nn.Linear(width, d)
        self.layers = nn.Sequential(*[Block(d, 6) for _ in range(blocks)])

    def forward(self, x):
        return self.layers(self.project(self.features(x).transpose(1, 2)))


def build(name):
    torch.manual_seed(7 if name == 'convwave' else 11)
    return (ConvWave() if name == 'convwave' else MelFormer()).eval()


def export(out_dir):
    for name, shape, axis in (('convwave', (1, 1, 16000), 2), ('melformer', (1, 1, N_MELS, 64), 3)):
        m = build(name)
        torch.onnx.export(m, torch.randn(*shape), f'{out_dir}/{name}.onnx', input_names=['audio'], output_names=['logits'],
                          dynamic_axes={'audio': {axis: 'time'}}, opset_version=14)
    print(json.dumps({'ok': True}))


HOOKED = {'convwave': ['conv1', 'act1', 'conv2', 'act2'], 'melformer': ['front', 'act', 'embed', 'block', 'block.ff']}


def run(name, pairs):
    m = build(name)
    acts = {}
    for mod in HOOKED[name]:
        m.get_submodule(mod).register_forward_hook(lambda _m, _i, o, mod=mod: acts.__setitem__(mod, o.detach().numpy().astype(np.float32)))
    for inp, out in zip(pairs[::2], pairs[1::2]):
        with torch.no_grad():
            m(torch.from_numpy(np.load(inp).astype(np.float32)))
        np.savez(out, **acts)
    print(json.dumps({k: list(v.shape) for k, v in acts.items()}))


def export_bench(out_dir):
    torch.manual_seed(3)
    m = W2v2Like().eval()
    torch.onnx.export(m, torch.randn(1, 1, 16000), f'{out_dir}/w2v2like.onnx', input_names=['audio'], output_names=['hidden'],
                      dynamic_axes={'audio': {2: 'time'}}, opset_version=14)
    print(json.dumps({'weights': sum(p.numel() for p in m.parameters())}))


if __name__ == '__main__':
    if sys.argv[1] == 'export':
        export(sys.argv[2])
    elif sys.argv[1] == 'export-bench':
        export_bench(sys.argv[2])
    else:
        run(sys.argv[3], sys.argv[4:])
