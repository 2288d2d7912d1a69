/**
 * BAN training throughput (windows/s) on the tfjs backend in use, against the
 * same architecture in PyTorch on CPU (Debian python3-torch, /usr/bin/python3)
 * in the same run, printed as a ratio.
 *
 * wasm is measured with 1 and 2 XNNPACK threads, each in its own process
 * (the wasm module, and so its thread count, is fixed per process).
 *
 *   npx tsx scripts/bench/ban-train.ts [--backend wasm|cpu|auto] [--steps 5] [--batch 16]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend, parseBackendKind, wasmThreads, tf } from '../../src/models/backend.js';
import { createModel, parseModelConfig } from '../../src/models/ban.js';
import { Rng } from '../../src/core/prng.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const backendKind = parseBackendKind(arg('backend', 'wasm'));
const threads = Number(arg('threads', '1'));
const steps = Number(arg('steps', '5'));
const batch = Number(arg('batch', '16'));
const cfg = parseModelConfig({});

async function tfjsRate(): Promise<{ name: string; rate: number; params: number }> {
  const name = await initBackend(backendKind, { threads });
  const model = createModel(cfg, 1);
  const x = tf.tensor4d(new Rng(1, 'bench').normals(batch * cfg.nMels * cfg.frames, -40, 15), [batch, cfg.nMels, cfg.frames, 1]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % cfg.nClasses), 'int32'), cfg.nClasses);
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.forward(x, { training: true }).logits) as tf.Scalar, true)!;
    l.dataSync();
    l.dispose();
  };
  step();
  step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const sec = (performance.now() - t0) / 1000;
  const params = model.parameterCount();
  model.dispose();
  return { name: name === 'wasm' ? `wasm (${wasmThreads()} thread${wasmThreads() === 1 ? '' : 's'})` : name, rate: (steps * batch) / sec, params };
}

const PY = String.raw`
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
step(); step(); t0 = time.perf_counter()
for _ in range(steps): step()
print(json.dumps({'rate': steps*batch/(time.perf_counter()-t0), 'params': sum(p.numel() for p in net.parameters()), 'version': torch.__version__}))
`;

function torchRate(threads: number): { rate: number; params: number; version: string } | null {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', PY, JSON.stringify(cfg), String(steps), String(batch), String(threads)], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop()!);
  } catch (e) {
    console.log(`PyTorch reference unavailable (apt-get install -y python3-torch): ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(await tfjsRate()));
  process.exit(0);
}

function child(th: number): { name: string; rate: number; params: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', '--threads', String(th),
    '--backend', backendKind, '--steps', String(steps), '--batch', String(batch)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const runs = backendKind === 'wasm' ? [child(1), child(2)] : [child(1)];
console.log(`BAN default config: input ${cfg.nMels}×${cfg.frames}, widths ${cfg.a1Width}/${cfg.areas.map((a) => a.width).join('/')}, times ${cfg.areas.map((a) => a.times).join('/')}, ${runs[0].params} params, batch ${batch}, ${steps} timed steps`);
for (const r of runs) console.log(`tfjs ${r.name}: ${r.rate.toFixed(1)} windows/s`);
for (const th of [1, 2]) {
  const ref = torchRate(th);
  if (!ref) break;
  console.log(`PyTorch ${ref.version} CPU ${th} thread(s): ${ref.rate.toFixed(1)} windows/s (${ref.params} params); ` +
    runs.map((r) => `${r.name}/torch = ${(r.rate / ref.rate).toFixed(3)}`).join(', '));
}
