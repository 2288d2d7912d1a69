import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { getLinalg, nativeAvailable, type Linalg } from '../../src/linalg/index.js';
import { permutationTestR, phaseKernel } from '../../src/stats/permutation.js';
import { phaseNullTestR } from '../../src/stats/phase-null.js';
import { pyStdin as py } from '../helpers/python.js';
import { ar1 } from '../helpers/ar1.js';

const paths: Linalg[] = [getLinalg({ prefer: 'portable' })];
if (nativeAvailable()) paths.push(getLinalg({ prefer: 'native' }));

/** nV voxels of T samples: the first half carry 0.6 × the AR(1) prediction (r ≈ 0.5), the rest none; voxel nV−1 is constant. */
function planted(nT: number, nV: number, seed: number): { pred: Float32Array; data: Float32Array } {
  const rng = new Rng(seed, 'planted');
  const pred = new Float32Array(nT * nV);
  const data = new Float32Array(nT * nV);
  for (let v = 0; v < nV; v++) {
    const p = ar1(nT, 0.7, rng);
    const noise = ar1(nT, 0.7, rng);
    const w = v < nV / 2 ? 0.6 : 0;
    for (let i = 0; i < nT; i++) {
      pred[i * nV + v] = p[i];
      data[i * nV + v] = v === nV - 1 ? 3 : w * p[i] + noise[i];
    }
  }
  return { pred, data };
}

for (const la of paths) {
  for (const nT of [66, 67]) {
    test(`${la.kind}, T = ${nT}: every null r equals numpy's r of the prediction circularly convolved with phaseKernel's kernel (same draws)`, (t) => {
      const nV = 4;
      const rng = new Rng(31, 'phase-data');
      const pred = rng.normals(nT * nV);
      const data = rng.normals(nT * nV);
      const res = phaseNullTestR(pred, data, nT, nV, { rng: new Rng(32), nPerm: 5, keepNull: true, drawsPerBlock: 2, linalg: la });
      const krng = new Rng(32);
      const kernels = [0, 1, 2, 3, 4].map(() => Array.from(phaseKernel(nT, krng)));
      const ref = py<number[][]>(
        `import sys, json, numpy as np
d = json.load(sys.stdin); T, V = d['T'], d['V']
P = np.array(d['pred']).reshape(T, V); Y = np.array(d['data']).reshape(T, V)
out = []
for c in d['kernels']:
    S = np.real(np.fft.ifft(np.fft.fft(P, axis=0) * np.fft.fft(np.array(c))[:, None], axis=0))
    out.append([float(np.corrcoef(S[:, v], Y[:, v])[0, 1]) for v in range(V)])
print(json.dumps(out))`,
        { T: nT, V: nV, pred: Array.from(pred), data: Array.from(data), kernels },
      );
      const nullR = res.nullR as Float64Array;
      let worst = 0;
      for (let k = 0; k < 5; k++) for (let v = 0; v < nV; v++) worst = Math.max(worst, Math.abs(nullR[k * nV + v] - ref[k][v]));
      t.true(worst < 1e-10, `max |null r − numpy| = ${worst}`);
    });
  }

  test(`${la.kind}: same seed → the same p per voxel and per ROI (mean and median, one- and two-sided) as permutationTestR's phase null, nulls within 1e-12`, (t) => {
    const nT = 80;
    const nV = 30;
    const { pred, data } = planted(nT, nV, 5);
    const rois = [
      { name: 'signal', voxels: Array.from({ length: 15 }, (_, i) => i) },
      { name: 'null', voxels: Array.from({ length: 14 }, (_, i) => i + 15) },
    ];
    for (const alternative of ['greater', 'two-sided'] as const) {
      for (const roiStatistic of ['mean', 'median'] as const) {
        const common = { nPerm: 199, alternative, roiStatistic, rois, keepNull: true };
        const ref = permutationTestR(pred, data, nT, nV, { ...common, rng: new Rng(7, 'perm'), scheme: { kind: 'phase' } });
        const got = phaseNullTestR(pred, data, nT, nV, { ...common, rng: new Rng(7, 'perm'), drawsPerBlock: 64, linalg: la });
        t.deepEqual(Array.from(got.r), Array.from(ref.r), 'observed r');
        t.deepEqual(Array.from(got.p), Array.from(ref.p), `voxel p (${alternative}, ${roiStatistic})`);
        t.deepEqual(got.rois, ref.rois, `ROI p (${alternative}, ${roiStatistic})`);
        let worst = 0;
        const a = got.nullR as Float64Array;
        const b = ref.nullR as Float64Array;
        for (let i = 0; i < a.length; i++) if (!(Number.isNaN(a[i]) && Number.isNaN(b[i]))) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        t.true(worst < 1e-12, `max |null difference| = ${worst}`);
      }
    }
  });
}

test('planted r ≈ 0.5 in 15 AR(1) voxels → every voxel p ≤ .01 and ROI p = 1/(1 + nPerm); the null ROI is not significant; a constant voxel gets NaN', (t) => {
  const nT = 400;
  const nV = 30;
  const { pred, data } = planted(nT, nV, 9);
  const res = phaseNullTestR(pred, data, nT, nV, {
    rng: new Rng(3, 'perm'),
    nPerm: 499,
    rois: [
      { name: 'signal', voxels: Array.from({ length: 15 }, (_, i) => i) },
      { name: 'null', voxels: Array.from({ length: 14 }, (_, i) => i + 15) },
    ],
  });
  for (let v = 0; v < 15; v++) t.true(res.p[v] <= 0.01, `voxel ${v}: r = ${res.r[v]}, p = ${res.p[v]}`);
  t.is(res.rois[0].p, 1 / 500);
  t.true(res.rois[1].p > 0.05, `null ROI p = ${res.rois[1].p}`);
  t.true(Number.isNaN(res.p[nV - 1]) && Number.isNaN(res.r[nV - 1]));
});

test('bad input: mismatched sizes and nPerm < 1 are InputErrors', (t) => {
  const x = new Float32Array(20);
  t.throws(() => phaseNullTestR(x, new Float32Array(19), 10, 2, { rng: new Rng(1) }), { instanceOf: InputError, message: /10×2/ });
  t.throws(() => phaseNullTestR(x, x, 10, 2, { rng: new Rng(1), nPerm: 0 }), { instanceOf: InputError, message: /positive integer/ });
});
