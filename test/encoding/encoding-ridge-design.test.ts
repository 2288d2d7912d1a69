/**
 * Folds and design matrices for the ridge engine: groups (runs, stimuli) are
 * never split between train and test, folds partition the samples, and FIR
 * delays / HRF convolution never carry signal across a run boundary.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { groupsFromRunLengths, makeFolds } from '../../src/encoding/cv.js';
import { DEFAULT_FIR_DELAYS, delayFeatures, hrfConvolve } from '../../src/encoding/delays.js';
import { encodeConfigSchema } from '../../src/encoding/config.js';
import { doubleGammaAt } from '../../src/signal/hrf.js';
import { pyStdin } from '../helpers/python.js';
import { convolve, doubleGammaHrf } from '../../src/signal/hrf.js';

test('grouped folds: every group lies wholly in train or wholly in test, and test sets partition the samples', (t) => {
  const rng = new Rng(21, 'groups');
  // 7 stimuli presented in shuffled, interleaved order (labels not contiguous)
  const groups = Int32Array.from({ length: 140 }, () => rng.int(7));
  for (const k of [2, 3, 7]) {
    const folds = makeFolds(groups.length, { k, groups });
    t.is(folds.length, k);
    const seen = new Int32Array(groups.length);
    for (const f of folds) {
      const testGroups = new Set(Array.from(f.test, (i) => groups[i]));
      for (const i of f.train) t.false(testGroups.has(groups[i]), `k=${k}: group ${groups[i]} split`);
      for (const i of f.test) seen[i]++;
      t.is(f.train.length + f.test.length, groups.length);
    }
    t.true(seen.every((c) => c === 1));
  }
});

test('run groups with default K give leave-one-run-out; without groups, K contiguous blocks of near-equal size', (t) => {
  const runs = groupsFromRunLengths([30, 25, 35]);
  const lo = makeFolds(runs.length, { groups: runs });
  t.deepEqual(
    lo.map((f) => f.test.length),
    [30, 25, 35],
  );
  t.deepEqual(Array.from(lo[1].test.slice(0, 2)), [30, 31]);
  const blocks = makeFolds(10, { k: 3 });
  t.deepEqual(
    blocks.map((f) => Array.from(f.test)),
    [
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
  );
});

test('asking for more folds than groups, fewer than 2 folds or mislabelled groups is an InputError', (t) => {
  t.throws(() => makeFolds(6, { k: 4, groups: [0, 0, 1, 1, 2, 2] }), { instanceOf: InputError });
  t.throws(() => makeFolds(6, { k: 1 }), { instanceOf: InputError });
  t.throws(() => makeFolds(6, { groups: [0, 1] }), { instanceOf: InputError });
});

test('FIR delays 1–4 TRs: row t of block d equals X[t−d] inside the run and 0 in the first d TRs of every run', (t) => {
  const rng = new Rng(22, 'fir');
  const [n, p] = [23, 3];
  const runs = groupsFromRunLengths([8, 5, 10]);
  const x = rng.normals(n * p);
  const delays = [1, 2, 3, 4];
  const out = delayFeatures(x, n, p, delays, runs);
  const q = p * delays.length;
  const runStart = [0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13];
  for (let row = 0; row < n; row++)
    delays.forEach((d, di) => {
      for (let j = 0; j < p; j++) {
        const want = row - d >= runStart[row] ? x[(row - d) * p + j] : 0;
        t.is(out[row * q + di * p + j], want);
      }
    });
});

test('FIR with a lead (−1) and a zero delay; a run label reused later in the session still restarts the delay line', (t) => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const out = delayFeatures(x, 6, 1, [0, -1, 1], [0, 0, 1, 1, 0, 0]);
  // columns: [x_t, x_{t+1}, x_{t−1}] within segments [0,1] [2,3] [4,5]
  t.deepEqual(Array.from(out), [1, 2, 0, 2, 0, 1, 3, 4, 0, 4, 0, 3, 5, 6, 0, 6, 0, 5]);
});

test('HRF design: each run is convolved from its own start, equal to convolving the runs separately', (t) => {
  const rng = new Rng(23, 'hrf');
  const lengths = [40, 30];
  const runs = groupsFromRunLengths(lengths);
  const n = 70;
  const p = 2;
  const x = rng.normals(n * p);
  const hrf = doubleGammaHrf(2);
  const out = hrfConvolve(x, n, p, hrf, runs);
  let start = 0;
  for (const len of lengths) {
    for (let j = 0; j < p; j++) {
      const col = Float32Array.from({ length: len }, (_, i) => x[(start + i) * p + j]);
      const want = convolve(col, hrf);
      for (let i = 0; i < len; i++) t.is(out[(start + i) * p + j], want[i]);
    }
    start += len;
  }
  // a spike at the last TR of run 0 leaves the first TR of run 1 untouched
  const spike = new Float32Array(n);
  spike[39] = 1;
  t.is(hrfConvolve(spike, n, 1, hrf, runs)[40], 0);
});

test('FIR default is 1–6 TRs everywhere: at TR 1.5 s it spans 96% of the HRF positive lobe (1–4: 70%), as scipy’s gamma densities give', (t) => {
  t.deepEqual([...DEFAULT_FIR_DELAYS], [1, 2, 3, 4, 5, 6]);
  t.deepEqual(encodeConfigSchema.parse({}).delays, [...DEFAULT_FIR_DELAYS]);
  // Delay d stands for lags [(d − ½)·TR, (d + ½)·TR); share of the positive lobe's area they cover.
  const tr = 1.5;
  const dt = 0.001;
  const share = (maxDelay: number): number => {
    let inside = 0;
    let total = 0;
    for (let s = dt / 2; s < 32; s += dt) {
      const h = Math.max(0, doubleGammaAt(s));
      total += h;
      if (s >= 0.5 * tr && s < (maxDelay + 0.5) * tr) inside += h;
    }
    return inside / total;
  };
  const ref = pyStdin<number[]>(
    `import sys, json, numpy as np
from scipy.stats import gamma
tr = json.load(sys.stdin); s = np.arange(0.0005, 32, 0.001); h = np.maximum(gamma.pdf(s, 6) - gamma.pdf(s, 16) / 6, 0)
print(json.dumps([float(h[(s >= 0.5 * tr) & (s < (D + 0.5) * tr)].sum() / h.sum()) for D in (4, 6)]))`,
    tr,
  );
  t.log(`positive-lobe share: delays 1–4 ${share(4).toFixed(3)}, 1–6 ${share(6).toFixed(3)} (scipy ${ref.map((x) => x.toFixed(3)).join(', ')})`);
  t.true(Math.abs(share(4) - ref[0]) < 1e-6 && Math.abs(share(6) - ref[1]) < 1e-6);
  t.true(Math.abs(share(4) - 0.7) < 0.01 && Math.abs(share(6) - 0.96) < 0.01);
});
