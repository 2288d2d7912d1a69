import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { initBackend, tf } from '../../src/models/backend.js';
import { createModel, cnnBaselineConfig, type ModelConfigInput } from '../../src/models/ban.js';
import { saveCheckpoint } from '../../src/models/checkpoint.js';
import { Rng } from '../../src/core/prng.js';

/**
 * An independent NumPy (float64) forward pass written from the architecture
 * description, reading the checkpoint format: TF 'same' padding, eval-mode
 * batch norm, CORnet-S recurrence (shared convs, per-iteration BN, strided
 * first iteration with a conv skip). Prints every area output and the logits.
 */
const PY = `
import json, sys, numpy as np
d = sys.argv[1]; N, H, T = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = json.load(open(d + '/ckpt/model.json')); c = m['config']
raw = np.fromfile(d + '/ckpt/weights.bin', dtype='<f4').astype(np.float64)
P = {e['name']: raw[e['offset']:e['offset'] + int(np.prod(e['shape']))].reshape(e['shape']) for e in m['weights']}
x = np.fromfile(d + '/x.bin', dtype='<f4').astype(np.float64).reshape(N, H, T, 1)
def same(n, k, s):
    o = -(-n // s); tot = max((o - 1) * s + k - n, 0); return o, tot // 2, tot - tot // 2
def conv(x, w, s):
    k = w.shape[0]; n, h, wd, _ = x.shape
    ho, pt, pb = same(h, k, s); wo, pl, pr = same(wd, k, s)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, ho, wo, w.shape[3]))
    for i in range(k):
        for j in range(k):
            out += xp[:, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s, :] @ w[i, j]
    return out
def maxpool(x):
    n, h, wd, ch = x.shape
    ho, pt, pb = same(h, 3, 2); wo, pl, pr = same(wd, 3, 2)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf)
    return np.max([xp[:, i:i + 2 * (ho - 1) + 1:2, j:j + 2 * (wo - 1) + 1:2, :] for i in range(3) for j in range(3)], axis=0)
eps = c['bnEpsilon']
def bn(x, n):
    return (x - P[n + '/mean']) / np.sqrt(P[n + '/variance'] + eps) * P[n + '/gamma'] + P[n + '/beta']
relu = lambda v: np.maximum(v, 0)
out = {}
h = (x - c['inputMean']) / c['inputStd']
h = maxpool(relu(bn(conv(h, P['a1/conv1'], 2), 'a1/bn1')))
h = relu(bn(conv(h, P['a1/conv2'], 1), 'a1/bn2')); out['a1.0'] = h
for a in c['areas']:
    n = a['name']
    if c['kind'] == 'ban':
        h = conv(h, P[n + '/conv_input'], 1)
        for t in range(a['times']):
            skip = bn(conv(h, P[n + '/skip'], 2), n + '/bn_skip') if t == 0 else h
            y = relu(bn(conv(h, P[n + '/conv1'], 1), '%s/t%d/bn1' % (n, t)))
            y = relu(bn(conv(y, P[n + '/conv2'], 2 if t == 0 else 1), '%s/t%d/bn2' % (n, t)))
            y = bn(conv(y, P[n + '/conv3'], 1), '%s/t%d/bn3' % (n, t))
            h = relu(y + skip if c['skip'] else y); out['%s.%d' % (n, t)] = h
    else:
        h = relu(bn(conv(h, P[n + '/conv1'], 2), n + '/bn1'))
        h = relu(bn(conv(h, P[n + '/conv2'], 1), n + '/bn2')); out[n + '.0'] = h
z = h.mean(axis=(1, 2))
for i in range(len(c['fcHidden'])):
    z = relu(z @ P['decoder/fc%d/w' % i] + P['decoder/fc%d/b' % i])
out['logits'] = z @ P['decoder/out/w'] + P['decoder/out/b']
print(json.dumps({k: v.ravel().tolist() for k, v in out.items()}))
`;

const base: ModelConfigInput = {
  nMels: 24,
  frames: 40,
  nClasses: 5,
  a1Width: 4,
  a1Kernel: 7,
  scale: 2,
  fcHidden: [6],
  areas: [
    { name: 'belt', width: 6, times: 2 },
    { name: 'pb', width: 8, times: 3 },
  ],
  inputMean: -30,
  inputStd: 12,
};

test.before(async () => {
  await initBackend('wasm');
});

for (const [label, cfg] of [
  ['BAN', base],
  ['BAN without skip', { ...base, skip: false }],
  ['CNN baseline', cnnBaselineConfig(base)],
] as [string, ModelConfigInput][]) {
  test.serial(`${label}: every area output and the logits equal an independent NumPy forward pass (rel. err ≤ 1e-5)`, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-np-'));
    const model = createModel(cfg, 11);
    // Non-trivial running statistics: a few training-mode passes.
    const r = new Rng(12, 'np');
    for (let i = 0; i < 3; i++)
      tf.tidy(() => {
        model.forward(tf.tensor4d(r.normals(4 * 24 * 40, -30, 12), [4, 24, 40, 1]), { training: true });
      });
    saveCheckpoint(path.join(dir, 'ckpt'), model);
    const N = 2;
    const xs = r.normals(N * 24 * 40, -30, 12);
    fs.writeFileSync(path.join(dir, 'x.bin'), Buffer.from(xs.buffer));
    const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, dir, String(N), '24', '40'], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<
      string,
      number[]
    >;
    const got = tf.tidy(() => {
      const res = model.forward(tf.tensor4d(xs, [N, 24, 40, 1]), { collect: true });
      const o: Record<string, Float32Array> = { logits: res.logits.dataSync() as Float32Array };
      for (const a of res.acts) o[`${a.area}.${a.iteration}`] = a.tensor.dataSync() as Float32Array;
      return o;
    });
    t.deepEqual(Object.keys(got).sort(), Object.keys(ref).sort());
    for (const k of Object.keys(ref)) {
      let num = 0,
        den = 0;
      ref[k].forEach((v, i) => {
        num += (got[k][i] - v) ** 2;
        den += v * v;
      });
      const e = Math.sqrt(num / den);
      t.true(got[k].length === ref[k].length && e <= 1e-5, `${k}: rel. err ${e}`);
    }
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
