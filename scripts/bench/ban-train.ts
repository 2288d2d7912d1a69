/**
 * BAN training throughput (windows/s: forward, backward and Adam update on a
 * fixed batch) in brainalign against the same architecture in PyTorch on CPU
 * (Debian python3-torch, /usr/bin/python3), 1 and 2 threads, runs alternating
 * so that load from other users of the machine hits both sides alike.
 * brainalign runs tfjs-wasm with the native OpenBLAS kernels (`--kernels
 * native`, the default) or wasm's own (`--kernels wasm`), or `--backend cpu|auto`.
 *
 *   npx tsx scripts/bench/ban-train.ts [--kernels native|wasm] [--steps 10] [--batch 16] [--rounds 2]
 */
import { fileURLToPath } from 'node:url';
import { initBackend, parseBackendKind, trainingKernelThreads, wasmThreads, type KernelPath } from '../../src/models/backend.js';
import { parseModelConfig } from '../../src/models/ban.js';
import { arg, interleave, runChild, runTorch } from './torch-compare.js';
import { BENCH_BAN, banTrainingStep } from './ban-step.js';

const backendKind = parseBackendKind(arg('backend', 'wasm'));
const kernels = arg('kernels', 'native') as KernelPath;
const steps = Number(arg('steps', '10'));
const batch = Number(arg('batch', '16'));
const rounds = Number(arg('rounds', '2'));
const cfg = parseModelConfig(BENCH_BAN);

async function tfjsRate(threads: number): Promise<{ rate: number; cpuRate: number; params: number; path: string }> {
  const name = await initBackend(backendKind, { threads, kernels });
  const { step, model } = banTrainingStep(batch);
  step();
  step();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const sec = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const cpuSec = (c1.user + c1.system) / 1e6;
  const params = model.parameterCount();
  model.dispose();
  const path =
    name !== 'wasm'
      ? name
      : trainingKernelThreads() > 0
        ? `wasm + native kernels (${trainingKernelThreads()} pool threads, XNNPACK ${wasmThreads()})`
        : `wasm kernels (XNNPACK ${wasmThreads()} threads)`;
  return { rate: (steps * batch) / sec, cpuRate: (steps * batch) / cpuSec, params, path };
}

const PY = `
import sys, json, time, torch, torch.nn as nn, torch.nn.functional as F
cfg = json.loads(sys.argv[1]); steps = int(sys.argv[2]); batch = int(sys.argv[3]); torch.set_num_threads(int(sys.argv[4]))
torch.manual_seed(0)
class Block(nn.Module):
    def __init__(s, cin, w, times, scale, k, skip):
        super().__init__(); s.times = times; s.skipOn = skip; W = w*scale
        s.inp = nn.Conv2d(cin, w, 1, bias=False); s.skip = nn.Conv2d(w, w, 1, stride=2, bias=False); s.bns = nn.BatchNorm2d(w)
        s.c1 = nn.Conv2d(w, W, 1, bias=False); s.c2 = nn.Conv2d(W, W, k, padding=k//2, bias=False); s.c3 = nn.Conv2d(W, w, 1, bias=False)
        s.b1 = nn.ModuleList([nn.BatchNorm2d(W) for _ in range(times)]); s.b2 = nn.ModuleList([nn.BatchNorm2d(W) for _ in range(times)]); s.b3 = nn.ModuleList([nn.BatchNorm2d(w) for _ in range(times)])
    def forward(s, x):
        x = s.inp(x)
        for t in range(s.times):
            sk = s.bns(s.skip(x)) if t == 0 else x
            y = F.relu(s.b1[t](s.c1(x)))
            y = F.relu(s.b2[t](F.conv2d(y, s.c2.weight, stride=2 if t == 0 else 1, padding=s.c2.padding)))
            y = s.b3[t](s.c3(y))
            x = F.relu(y + sk if s.skipOn else y)
        return x
class Net(nn.Module):
    def __init__(s, c):
        super().__init__(); a = c['a1Width']; k1 = c['a1Kernel']; k2 = c['a1Kernel2']
        s.c1 = nn.Conv2d(1, a, k1, stride=2, padding=k1//2, bias=False); s.b1 = nn.BatchNorm2d(a)
        s.c2 = nn.Conv2d(a, a, k2, padding=k2//2, bias=False); s.b2 = nn.BatchNorm2d(a)
        blocks = []; cin = a
        for ar in c['areas']:
            blocks.append(Block(cin, ar['width'], ar['times'], c['scale'], c['blockKernel'], c['skip'])); cin = ar['width']
        s.blocks = nn.ModuleList(blocks); fcs = []; fin = cin
        for h in c['fcHidden']: fcs += [nn.Linear(fin, h), nn.ReLU()]; fin = h
        s.fc = nn.Sequential(*fcs, nn.Linear(fin, c['nClasses']))
    def forward(s, x):
        x = F.relu(s.b1(s.c1(x))); x = F.max_pool2d(x, 3, 2, 1); x = F.relu(s.b2(s.c2(x)))
        for b in s.blocks: x = b(x)
        return s.fc(x.mean((2, 3)))
net = Net(cfg); opt = torch.optim.Adam(net.parameters(), 1e-3)
x = torch.randn(batch, 1, cfg['nMels'], cfg['frames']) * 15 - 40; y = torch.arange(batch) % cfg['nClasses']
def step():
    opt.zero_grad(); l = F.cross_entropy(net(x), y); l.backward(); opt.step()
step(); step(); t0 = time.perf_counter(); c0 = time.process_time()
for _ in range(steps): step()
t1 = time.perf_counter(); c1 = time.process_time()
print(json.dumps({'rate': steps*batch/(t1-t0), 'cpuRate': steps*batch/(c1-c0), 'params': sum(p.numel() for p in net.parameters()), 'version': torch.__version__}))
`;

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(await tfjsRate(Number(arg('threads', '1')))));
  process.exit(0);
}

const me = fileURLToPath(import.meta.url);
let described = false;
interleave(
  'BAN',
  rounds,
  [1, 2],
  (th) => {
    const r = runChild(me, ['--threads', String(th), '--backend', backendKind, '--kernels', kernels, '--steps', String(steps), '--batch', String(batch)]);
    if (!described) {
      described = true;
      console.log(
        `BAN benchmark config: input ${cfg.nMels}×${cfg.frames}, widths ${cfg.a1Width}/${cfg.areas.map((a) => a.width).join('/')}, times ${cfg.areas.map((a) => a.times).join('/')}, ${String(r.params)} params, batch ${batch}, ${steps} timed steps after 2 warm-up steps; brainalign on ${String(r.path)}`,
      );
    }
    return r;
  },
  (th) => {
    const r = runTorch(PY, [JSON.stringify(cfg), String(steps), String(batch), String(th)]);
    if (r && th === 1) console.log(`PyTorch ${String(r.version)}: ${String(r.params)} params`);
    return r;
  },
);
