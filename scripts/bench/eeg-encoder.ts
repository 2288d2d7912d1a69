/**
 * PredANN EEG-encoder training throughput (windows/s: forward, backward and
 * Adam update with the full CE + λ·InfoNCE loss) on tfjs-wasm, against the
 * same network and loss in PyTorch on CPU (/usr/bin/python3) in the same run.
 * Shapes are the mini-study's: 32 channels × 3 s at 64 Hz, 80 songs, target
 * 4 bins × 2 features. Both the default (4-8-16, 3×5 kernels, time pooling 4) and
 * PredANN's own width (32-64-128, 3×3 kernels, no pooling) are measured.
 *
 *   npx tsx scripts/bench/eeg-encoder.ts [--windows 256] [--batch 32]
 */
import { execFileSync } from 'node:child_process';
import { initBackend } from '../../src/models/backend.js';
import { trainEegEncoder } from '../../src/models/predann-train.js';
import { eegEncoderConfigSchema } from '../../src/models/eeg-encoder-config.js';
import { Rng } from '../../src/core/prng.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const nWin = Number(arg('windows', '256'));
const batch = Number(arg('batch', '32'));
const shape = { nCh: 32, nT: 192, nClasses: 80, targetDim: 8 };

const TORCH = String.raw`
import sys, json, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2); torch.manual_seed(0)
a = json.loads(sys.argv[1]); filt, pool, n, bs = a['filters'], a['pool'], a['n'], a['batch']
C, T, K, D = a['nCh'], a['nT'], a['nClasses'], a['targetDim']
layers, cin = [], 1
for c in filt:
    layers += [nn.Conv2d(cin, c, tuple(a['kernel']), padding=(a['kernel'][0] // 2, a['kernel'][1] // 2), bias=False), nn.BatchNorm2d(c), nn.ReLU()]
    if pool > 1: layers.append(nn.MaxPool2d((1, pool)))
    cin = c
body = nn.Sequential(*layers); cls = nn.Linear(cin, K); p1 = nn.Linear(cin, 64); p2 = nn.Linear(64, D)
params = list(body.parameters()) + list(cls.parameters()) + list(p1.parameters()) + list(p2.parameters())
opt = torch.optim.Adam(params, 1e-3)
x = torch.randn(n, 1, C, T); y = torch.randint(0, K, (n,)); tgt = torch.randn(n, D)
def step(i):
    xb, yb, tb = x[i:i+bs], y[i:i+bs], tgt[i:i+bs]
    f = F.dropout(body(xb).mean(dim=(2, 3)), 0.5)
    logits = cls(f); e = p2(F.relu(p1(f)))
    s = F.normalize(e, dim=1) @ F.normalize(tb, dim=1).T / 0.5
    lab = torch.arange(len(s))
    loss = F.cross_entropy(logits, yb) + 0.05 * 0.5 * (F.cross_entropy(s, lab) + F.cross_entropy(s.T, lab))
    opt.zero_grad(); loss.backward(); opt.step()
step(0)
t0 = time.time(); seen = 0
for i in range(0, n - bs + 1, bs): step(i); seen += bs
print(json.dumps({'rate': seen / (time.time() - t0)}))
`;

function torchRate(filters: number[], pool: number, kernel: number[]): number | null {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', TORCH, JSON.stringify({ filters, pool, kernel, n: nWin, batch, ...shape })], { encoding: 'utf8' });
    return (JSON.parse(out) as { rate: number }).rate;
  } catch {
    return null;
  }
}

await initBackend('wasm');
const rng = new Rng(1, 'bench');
const set = { x: rng.normals(nWin * shape.nCh * shape.nT), labels: Int32Array.from({ length: nWin }, (_, i) => i % shape.nClasses), targets: rng.normals(nWin * shape.targetDim) };
for (const [name, filters, pool, kernel] of [['default', [4, 8, 16], 4, [3, 5]], ['predann-width', [32, 64, 128], 1, [3, 3]]] as const) {
  const cfg = eegEncoderConfigSchema.parse({ filters: [...filters], poolTime: pool, kernel: [...kernel], epochs: 2, batchSize: batch });
  // Epoch 1 warms up (kernel compilation, allocation); epoch 2 is timed.
  const r = trainEegEncoder(set, shape, cfg, 1);
  const ours = (nWin - (nWin % batch)) / r.history[1].seconds;
  r.model.dispose();
  const ref = torchRate([...filters], pool, [...kernel]);
  process.stdout.write(`${name.padEnd(14)} tfjs-wasm ${ours.toFixed(1)} windows/s` + (ref ? `; PyTorch CPU ${ref.toFixed(1)} windows/s; ratio ${(ours / ref).toFixed(2)}` : '; PyTorch unavailable') + '\n');
}
