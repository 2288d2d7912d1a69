/**
 * PredANN EEG-encoder training throughput (windows/s: forward, backward and
 * Adam update with the full CE + λ·InfoNCE loss) in brainalign against the
 * same network and loss in PyTorch on CPU (/usr/bin/python3), 1 and 2
 * threads, runs alternating (scripts/bench/torch-compare.ts). Shapes are the
 * mini-study's: 32 channels × 3 s at 64 Hz, 80 songs, target 4 bins × 2
 * features. Both the default (4-8-16, 3×5 kernels, time pooling 4) and
 * PredANN's own width (32-64-128, 3×3 kernels, no pooling) are measured; each
 * side trains one warm-up epoch, then one timed epoch. Both sides run the same
 * network and loss: Dense(100) → ReLU → Dense heads, dropout on the last
 * feature map, CE + λ·InfoNCE and the L2 penalty on convolution and dense
 * weights. The default network's epoch is 1024 windows (32 steps): V8
 * compiles the step's JavaScript over its first ~20 steps, and a shorter
 * warm-up measures that compilation instead of training.
 *
 *   npx tsx scripts/bench/eeg-encoder.ts [--kernels native|wasm] [--nets default,predann-width] [--windows N] [--batch 32] [--rounds 2]
 */
import { fileURLToPath } from 'node:url';
import { initBackend, type KernelPath } from '../../src/models/backend.js';
import { trainEegEncoder } from '../../src/models/predann-train.js';
import { eegEncoderConfigSchema } from '../../src/models/eeg-encoder-config.js';
import { Rng } from '../../src/core/prng.js';
import { arg, interleave, runChild, runTorch } from './torch-compare.js';

const batch = Number(arg('batch', '32'));
const rounds = Number(arg('rounds', '2'));
const kernels = arg('kernels', 'native') as KernelPath;
const shape = { nCh: 32, nT: 192, nClasses: 80, targetDim: 8 };
const NETS = {
  default: { filters: [4, 8, 16], pool: 4, kernel: [3, 5], windows: 1024 },
  'predann-width': { filters: [32, 64, 128], pool: 1, kernel: [3, 3], windows: 128 },
} as const;
type NetName = keyof typeof NETS;
const windowsOf = (net: NetName): number => Number(arg('windows', String(NETS[net].windows)));

const TORCH = `
import sys, json, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[2])); torch.manual_seed(0)
a = json.loads(sys.argv[1]); filt, pool, n, bs = a['filters'], a['pool'], a['n'], a['batch']
C, T, K, D = a['nCh'], a['nT'], a['nClasses'], a['targetDim']
H, WD = a['hidden'], a['weightDecay']
layers, cin = [], 1
for c in filt:
    layers += [nn.Conv2d(cin, c, tuple(a['kernel']), padding=(a['kernel'][0] // 2, a['kernel'][1] // 2), bias=False), nn.BatchNorm2d(c), nn.ReLU()]
    if pool > 1: layers.append(nn.MaxPool2d((1, pool)))
    cin = c
body = nn.Sequential(*layers)
cls = nn.Sequential(nn.Linear(cin, H), nn.ReLU(), nn.Linear(H, K)); proj = nn.Sequential(nn.Linear(cin, H), nn.ReLU(), nn.Linear(H, D))
params = list(body.parameters()) + list(cls.parameters()) + list(proj.parameters())
decayed = [m.weight for m in [*body, *cls, *proj] if isinstance(m, (nn.Conv2d, nn.Linear))]
opt = torch.optim.Adam(params, a['lr'])
x = torch.randn(n, 1, C, T); y = torch.randint(0, K, (n,)); tgt = torch.randn(n, D)
def step(i):
    xb, yb, tb = x[i:i+bs], y[i:i+bs], tgt[i:i+bs]
    f = F.dropout(body(xb), 0.5).mean(dim=(2, 3))
    logits = cls(f); e = proj(f)
    s = F.normalize(e, dim=1) @ F.normalize(tb, dim=1).T / 0.5
    lab = torch.arange(len(s))
    loss = F.cross_entropy(logits, yb) + 0.05 * 0.5 * (F.cross_entropy(s, lab) + F.cross_entropy(s.T, lab)) + WD * sum((w * w).sum() for w in decayed)
    opt.zero_grad(); loss.backward(); opt.step()
for i in range(0, n - bs + 1, bs): step(i)
t0 = time.perf_counter(); c0 = time.process_time(); seen = 0
for i in range(0, n - bs + 1, bs): step(i); seen += bs
print(json.dumps({'rate': seen / (time.perf_counter() - t0), 'cpuRate': seen / (time.process_time() - c0)}))
`;

async function ours(net: NetName, threads: number): Promise<{ rate: number; cpuRate: number }> {
  await initBackend('wasm', { threads, kernels });
  const nWin = windowsOf(net);
  const rng = new Rng(1, 'bench');
  const set = {
    x: rng.normals(nWin * shape.nCh * shape.nT),
    labels: Int32Array.from({ length: nWin }, (_, i) => i % shape.nClasses),
    targets: rng.normals(nWin * shape.targetDim),
  };
  const cfg = bench(net);
  // Epoch 1 warms up (kernel compilation, allocation); epoch 2 is timed.
  const cpu: NodeJS.CpuUsage[] = [];
  const r = trainEegEncoder(set, shape, cfg, 1, {
    onEpoch: () => {
      cpu.push(process.cpuUsage());
    },
  });
  const windows = nWin - (nWin % batch);
  // CPU time from the end of the warm-up epoch to the end of the timed one (not the statistics refresh that follows).
  const c = { user: cpu[1].user - cpu[0].user, system: cpu[1].system - cpu[0].system };
  r.model.dispose();
  return { rate: windows / r.history[1].seconds, cpuRate: windows / ((c.user + c.system) / 1e6) };
}

/** The network and training settings both sides use (PredANN's defaults otherwise: heads, dropout, λ, τ, weight decay). */
function bench(net: NetName) {
  const { filters, pool, kernel } = NETS[net];
  return eegEncoderConfigSchema.parse({ filters: [...filters], poolTime: pool, kernel: [...kernel], epochs: 2, batchSize: batch, lr: 1e-3 });
}

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(await ours(arg('net', 'default') as NetName, Number(arg('threads', '1')))));
  process.exit(0);
}

const me = fileURLToPath(import.meta.url);
for (const net of arg('nets', Object.keys(NETS).join(',')).split(',') as NetName[]) {
  if (!(net in NETS)) throw new Error(`--nets: unknown network '${net}' (${Object.keys(NETS).join(', ')})`);
  const cfg = bench(net);
  const nWin = windowsOf(net);
  const torchArgs = { filters: cfg.filters, pool: cfg.poolTime, kernel: cfg.kernel, hidden: cfg.projectionHidden, weightDecay: cfg.weightDecay, lr: cfg.lr };
  interleave(
    `EEG encoder ${net}`,
    rounds,
    [1, 2],
    (th) => runChild(me, ['--net', net, '--threads', String(th), '--kernels', kernels, '--windows', String(nWin), '--batch', String(batch)]),
    (th) => runTorch(TORCH, [JSON.stringify({ ...torchArgs, n: nWin, batch, ...shape }), String(th)]),
  );
}
