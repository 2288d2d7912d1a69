/**
 * PredANN EEG-encoder training throughput (windows/s: forward, backward and
 * Adam update with the full CE + λ·InfoNCE loss) in brainalign against the
 * same network and loss in PyTorch on CPU (/usr/bin/python3), 1 and 2
 * threads, runs alternating (scripts/bench/torch-compare.ts). Shapes are the
 * mini-study's: 32 channels × 3 s at 64 Hz, 80 songs, target 4 bins × 2
 * features. Both the default (4-8-16, 3×5 kernels, time pooling 4) and
 * PredANN's own width (32-64-128, 3×3 kernels, no pooling) are measured; each
 * side trains one warm-up epoch, then one timed epoch.
 *
 *   npx tsx scripts/bench/eeg-encoder.ts [--kernels native|wasm] [--nets default,predann-width] [--windows 256] [--batch 32] [--rounds 2]
 */
import { fileURLToPath } from 'node:url';
import { initBackend, type KernelPath } from '../../src/models/backend.js';
import { trainEegEncoder } from '../../src/models/predann-train.js';
import { eegEncoderConfigSchema } from '../../src/models/eeg-encoder-config.js';
import { Rng } from '../../src/core/prng.js';
import { arg, interleave, runChild, runTorch } from './torch-compare.js';

const nWin = Number(arg('windows', '256'));
const batch = Number(arg('batch', '32'));
const rounds = Number(arg('rounds', '2'));
const kernels = arg('kernels', 'native') as KernelPath;
const shape = { nCh: 32, nT: 192, nClasses: 80, targetDim: 8 };
const NETS = {
  default: { filters: [4, 8, 16], pool: 4, kernel: [3, 5] },
  'predann-width': { filters: [32, 64, 128], pool: 1, kernel: [3, 3] },
} as const;
type NetName = keyof typeof NETS;

const TORCH = `
import sys, json, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[2])); torch.manual_seed(0)
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
for i in range(0, n - bs + 1, bs): step(i)
t0 = time.perf_counter(); c0 = time.process_time(); seen = 0
for i in range(0, n - bs + 1, bs): step(i); seen += bs
print(json.dumps({'rate': seen / (time.perf_counter() - t0), 'cpuRate': seen / (time.process_time() - c0)}))
`;

async function ours(net: NetName, threads: number): Promise<{ rate: number; cpuRate: number }> {
  await initBackend('wasm', { threads, kernels });
  const { filters, pool, kernel } = NETS[net];
  const rng = new Rng(1, 'bench');
  const set = {
    x: rng.normals(nWin * shape.nCh * shape.nT),
    labels: Int32Array.from({ length: nWin }, (_, i) => i % shape.nClasses),
    targets: rng.normals(nWin * shape.targetDim),
  };
  const cfg = eegEncoderConfigSchema.parse({ filters: [...filters], poolTime: pool, kernel: [...kernel], epochs: 2, batchSize: batch });
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

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(await ours(arg('net', 'default') as NetName, Number(arg('threads', '1')))));
  process.exit(0);
}

const me = fileURLToPath(import.meta.url);
for (const net of arg('nets', Object.keys(NETS).join(',')).split(',') as NetName[]) {
  if (!(net in NETS)) throw new Error(`--nets: unknown network '${net}' (${Object.keys(NETS).join(', ')})`);
  const { filters, pool, kernel } = NETS[net];
  interleave(
    `EEG encoder ${net}`,
    rounds,
    [1, 2],
    (th) => runChild(me, ['--net', net, '--threads', String(th), '--kernels', kernels, '--windows', String(nWin), '--batch', String(batch)]),
    (th) => runTorch(TORCH, [JSON.stringify({ filters, pool, kernel, n: nWin, batch, ...shape }), String(th)]),
  );
}
