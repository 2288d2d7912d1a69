/**
 * Ridge CV engine: planted weights and α are recovered, the fast
 * decomposition path equals direct float64 solves (numpy, /usr/bin/python3)
 * to 1e-5 in both the primal (p ≤ n) and dual (p > n) regimes, native and
 * portable linear algebra agree, and batching does not change any number.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { getLinalg, nativeAvailable, type Linalg } from '../../src/linalg/index.js';
import { makeFolds } from '../../src/encoding/cv.js';
import { ridgeCV, ridgeFit, ridgePredict } from '../../src/encoding/ridge.js';
import { correlateColumns } from '../../src/encoding/correlate.js';
import { maxAbs, maxAbsDiff } from '../helpers/matrix.js';

const paths: Linalg[] = [getLinalg({ prefer: 'portable' })];
if (nativeAvailable()) paths.push(getLinalg({ prefer: 'native' }));

/** Y = X·W + offset + noise, with X having non-zero feature means (so centring matters). */
function planted(rng: Rng, n: number, p: number, v: number, noise: number, wSd = 1) {
  const X = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) X[i] = rng.normal() + 3 + (i % p) * 0.1;
  const W = new Float64Array(p * v);
  for (let i = 0; i < p * v; i++) W[i] = wSd * rng.normal();
  const Y = new Float64Array(n * v);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < v; k++) {
      let s = 100 + k; // baseline, as raw BOLD has
      for (let j = 0; j < p; j++) s += X[i * p + j] * W[j * v + k];
      Y[i * v + k] = s + noise * rng.normal();
    }
  return { X, W, Y };
}

interface RefOut {
  rAll: Float64Array;
  r2All: Float64Array;
  best: Int32Array;
  weights: Float64Array;
  intercept: Float64Array;
}

function numpyReference(
  X: Float64Array,
  Y: Float64Array,
  n: number,
  p: number,
  v: number,
  foldOfRow: Int32Array,
  alphas: number[],
  standardize: boolean,
  selectBy: 'r' | 'r2',
): RefOut {
  const dir = mkdtempSync(join(tmpdir(), 'ridge-ref-'));
  try {
    writeNpy(join(dir, 'X.npy'), X, [n, p]);
    writeNpy(join(dir, 'Y.npy'), Y, [n, v]);
    writeNpy(join(dir, 'fold.npy'), foldOfRow, [n]);
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ alphas, standardize, select_by: selectBy }));
    execFileSync('/usr/bin/python3', ['test/helpers/ridge_ref.py', dir]);
    const get = (name: string) => readNpy(join(dir, name)).data;
    return {
      rAll: get('cv_r_all.npy') as Float64Array,
      r2All: get('cv_r2_all.npy') as Float64Array,
      best: get('best.npy') as Int32Array,
      weights: get('weights.npy') as Float64Array,
      intercept: get('intercept.npy') as Float64Array,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases = [
  { name: 'primal (p=12 ≤ n_tr), 5 contiguous folds, α by R²', n: 100, p: 12, v: 9, groups: undefined, folds: 5, standardize: false, selectBy: 'r2' },
  { name: 'dual (p=70 > n_tr=48), 4 run groups, z-scored, α by r', n: 64, p: 70, v: 6, groups: 'runs', folds: undefined, standardize: true, selectBy: 'r' },
  { name: 'primal, z-scored, 3 folds over 6 runs, α by R²', n: 90, p: 10, v: 5, groups: 'runs', folds: 3, standardize: true, selectBy: 'r2' },
] as const;

for (const la of paths)
  for (const c of cases) {
    test(`${la.kind}: ${c.name}: CV scores, chosen α, weights and intercepts equal direct float64 solves (numpy) to 1e-5, through the stacked operators H_α and through the factors`, (t) => {
      const rng = new Rng(11, c.name);
      const { X, Y } = planted(rng, c.n, c.p, c.v, 3, 0.3);
      const runLen = c.p > c.n ? 16 : 15;
      const groups = c.groups ? Int32Array.from({ length: c.n }, (_, i) => Math.floor(i / runLen)) : undefined;
      const alphas = [0.1, 1, 10, 100, 1000];
      const folds = makeFolds(c.n, { k: c.folds, groups });
      const foldOfRow = new Int32Array(c.n);
      folds.forEach((f, fi) => f.test.forEach((i) => (foldOfRow[i] = fi)));
      const ref = numpyReference(X, Y, c.n, c.p, c.v, foldOfRow, alphas, c.standardize, c.selectBy);
      for (const foldPath of ['operator', 'factors'] as const) {
        const res = ridgeCV({
          X,
          n: c.n,
          p: c.p,
          Y,
          v: c.v,
          alphas,
          groups,
          folds: c.folds,
          standardize: c.standardize,
          selectBy: c.selectBy,
          linalg: la,
          batchSize: 4,
          foldPath,
        });
        t.true(maxAbsDiff(res.cvRAll, ref.rAll) < 1e-5, `${foldPath}: r ${maxAbsDiff(res.cvRAll, ref.rAll)}`);
        t.true(maxAbsDiff(res.cvR2All, ref.r2All) < 1e-5, `${foldPath}: R² ${maxAbsDiff(res.cvR2All, ref.r2All)}`);
        t.deepEqual(Array.from(res.bestAlphaIndex), Array.from(ref.best), foldPath);
        const w = res.weights;
        const b = res.intercept;
        if (!w || !b) return t.fail('weights requested but missing');
        t.true(maxAbsDiff(w, ref.weights) / maxAbs(ref.weights) < 1e-5, `${foldPath}: W ${maxAbsDiff(w, ref.weights) / maxAbs(ref.weights)}`);
        t.true(maxAbsDiff(b, ref.intercept) / maxAbs(ref.intercept) < 1e-5);
      }
    });
  }

for (const la of paths) {
  test(`${la.kind}: low noise (sd 0.01) and small α: planted weights recovered within 0.01, r > 0.999`, (t) => {
    const rng = new Rng(12, 'recover');
    const [n, p, v] = [200, 8, 5];
    const { X, W, Y } = planted(rng, n, p, v, 0.01);
    const res = ridgeCV({ X, n, p, Y, v, alphas: [1e-3, 1, 1e3], folds: 4, linalg: la });
    t.true(maxAbsDiff(res.weights ?? [], W) < 0.01);
    for (const r of res.cvR) t.true(r > 0.999);
    for (const a of res.bestAlpha) t.true(a < 1e3);
  });

  test(`${la.kind}: ridgeFit equals the Cholesky solve of (XcᵀXc + αI)w = Xcᵀ(y − ȳ) and ridgePredict reproduces Xw + b`, (t) => {
    const rng = new Rng(13, 'fit');
    const [n, p, v] = [50, 6, 3];
    const { X, Y } = planted(rng, n, p, v, 1);
    const alpha = 7;
    const { weights, intercept } = ridgeFit({ X, n, p, Y, v, alpha, linalg: la });
    const mean = (a: Float64Array, cols: number) =>
      Float64Array.from({ length: cols }, (_, j) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += a[i * cols + j];
        return s / n;
      });
    const mx = mean(X, p);
    const my = mean(Y, v);
    const xc = X.map((x, i) => x - mx[i % p]);
    const yc = Y.map((y, i) => y - my[i % v]);
    const gram = la.gemm(xc, xc, new Float64Array(p * p), p, p, n, { transA: true });
    for (let j = 0; j < p; j++) gram[j * p + j] += alpha;
    const rhs = la.gemm(xc, yc, new Float64Array(p * v), p, v, n, { transA: true });
    const direct = la.choleskySolve(gram, p, rhs, v);
    t.true(maxAbsDiff(weights, direct) / maxAbs(direct) < 1e-10);
    const pred = ridgePredict(X, n, p, weights, intercept, v, la);
    // the fitted residuals of a model with intercept sum to zero
    for (let k = 0; k < v; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Y[i * v + k] - pred[i * v + k];
      t.true(Math.abs(s) < 1e-8 * n * 100);
    }
  });
}

test('planted α = σ²/σ_w² (Bayesian ridge) is recovered within one grid step (half a decade) for noise variances 1 and 100', (t) => {
  const la = paths[paths.length - 1];
  const rng = new Rng(14, 'alpha');
  const [n, p, v] = [400, 30, 40];
  const alphas = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4].map((e) => 10 ** e);
  for (const sigma2 of [1, 100]) {
    const { X, Y } = planted(rng.fork(`s${sigma2}`), n, p, v, Math.sqrt(sigma2), 1);
    const res = ridgeCV({ X, n, p, Y, v, alphas, folds: 5, linalg: la, returnWeights: false });
    const logs = Array.from(res.bestAlpha, (a) => Math.log10(a)).sort((a, b) => a - b);
    const median = (logs[v / 2 - 1] + logs[v / 2]) / 2;
    t.true(Math.abs(median - Math.log10(sigma2)) <= 0.5 + 1e-6, `σ²=${sigma2}: median log10 α ${median}`);
  }
});

test('native and portable ridge agree to 1e-4 on float32 data (r table, chosen α, weights)', (t) => {
  if (!nativeAvailable()) return t.pass('addon not built: only the portable path exists to compare');
  const rng = new Rng(15, 'agree');
  const [n, p, v] = [150, 40, 30];
  const d = planted(rng, n, p, v, 2, 0.2);
  const X = Float32Array.from(d.X);
  const Y = Float32Array.from(d.Y);
  const opts = { X, n, p, Y, v, alphas: [1, 10, 100, 1000], folds: 5, standardize: true };
  const a = ridgeCV({ ...opts, linalg: getLinalg({ prefer: 'native' }) });
  const b = ridgeCV({ ...opts, linalg: getLinalg({ prefer: 'portable' }) });
  t.true(maxAbsDiff(a.cvRAll, b.cvRAll) < 1e-4);
  t.deepEqual(Array.from(a.bestAlpha), Array.from(b.bestAlpha));
  t.true(maxAbsDiff(a.weights ?? [], b.weights ?? []) / maxAbs(b.weights ?? []) < 1e-4);
});

test('batch size changes nothing: 1, 7 and all targets per batch give identical scores and weights', (t) => {
  const rng = new Rng(16, 'batch');
  const [n, p, v] = [80, 10, 17];
  const { X, Y } = planted(rng, n, p, v, 2);
  const run = (batchSize: number) => ridgeCV({ X, n, p, Y, v, alphas: [0.1, 10, 1000], folds: 4, batchSize });
  const all = run(v);
  for (const bs of [1, 7]) {
    const r = run(bs);
    t.true(maxAbsDiff(r.cvRAll, all.cvRAll) < 1e-12);
    t.true(maxAbsDiff(r.weights ?? [], all.weights ?? []) < 1e-10);
  }
});

test('refit through cached per-α operators and through streamed factors (large-design path) gives the same weights, primal and dual', (t) => {
  const rng = new Rng(19, 'refit-paths');
  for (const [n, p] of [
    [60, 8],
    [30, 45],
  ]) {
    const v = 6;
    const { X, Y } = planted(rng, n, p, v, 1);
    const alpha = Float64Array.from({ length: v }, (_, k) => [0.5, 5, 50][k % 3]);
    const cached = ridgeFit({ X, n, p, Y, v, alpha, standardize: true });
    const streamed = ridgeFit({ X, n, p, Y, v, alpha, standardize: true, refitOperatorBudget: 0 });
    t.true(maxAbsDiff(cached.weights, streamed.weights) / maxAbs(cached.weights) < 1e-10, `n=${n} p=${p}`);
    t.true(maxAbsDiff(cached.intercept, streamed.intercept) < 1e-9);
  }
});

test('a constant target scores r = 0 and R² = 0 (not NaN) and gets finite weights', (t) => {
  const rng = new Rng(17, 'const');
  const [n, p, v] = [60, 5, 2];
  const { X, Y } = planted(rng, n, p, v, 1);
  for (let i = 0; i < n; i++) Y[i * v + 1] = 42;
  const res = ridgeCV({ X, n, p, Y, v, alphas: [1, 10], folds: 3 });
  t.is(res.cvR[1], 0);
  t.is(res.cvR2[1], 0);
  t.true(Array.from(res.weights ?? []).every(Number.isFinite));
  t.true(Math.abs((res.intercept ?? [0, 0])[1] - 42) < 1e-9);
});

test('bad inputs throw InputErrors naming the option: shape mismatch, α ≤ 0, more folds than groups, NaN in X, Inf in Y', (t) => {
  const X = new Float64Array(20);
  const Y = new Float64Array(10);
  t.throws(() => ridgeCV({ X, n: 10, p: 2, Y, v: 2, alphas: [1] }), { instanceOf: InputError, message: /Y/ });
  t.throws(() => ridgeCV({ X, n: 10, p: 2, Y, v: 1, alphas: [0] }), { instanceOf: InputError, message: /alphas/ });
  t.throws(() => ridgeCV({ X, n: 10, p: 2, Y, v: 1, alphas: [1], groups: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], folds: 3 }), {
    instanceOf: InputError,
    message: /groups/,
  });
  const bad = X.slice();
  bad[3] = NaN;
  t.throws(() => ridgeCV({ X: bad, n: 10, p: 2, Y, v: 1, alphas: [1] }), { instanceOf: InputError, message: /X/ });
  const badY = new Float64Array(10);
  badY[7] = Infinity;
  t.throws(() => ridgeCV({ X, n: 10, p: 2, Y: badY, v: 1, alphas: [1] }), { instanceOf: InputError, message: /column 0/ });
});

test('correlateColumns: r matches numpy corrcoef and R² matches 1 − SSres/SStot on planted columns', (t) => {
  const rng = new Rng(18, 'corr');
  const [rows, cols] = [50, 4];
  const y = Float64Array.from(rng.normals(rows * cols));
  const pred = y.map((x, i) => 0.5 * x + rng.normal() + (i % cols));
  const { r, r2 } = correlateColumns(pred, y, rows, cols);
  const script = `import numpy as np, sys, json
d = json.loads(sys.stdin.read()); y = np.array(d['y']).reshape(${rows}, ${cols}); p = np.array(d['p']).reshape(${rows}, ${cols})
print(json.dumps({'r': [float(np.corrcoef(p[:, k], y[:, k])[0, 1]) for k in range(${cols})], 'r2': (1 - ((y - p) ** 2).sum(0) / ((y - y.mean(0)) ** 2).sum(0)).tolist()}))`;
  const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ y: Array.from(y), p: Array.from(pred) }) }).toString()) as {
    r: number[];
    r2: number[];
  };
  t.true(maxAbsDiff(r, ref.r) < 1e-6);
  t.true(maxAbsDiff(r2, ref.r2) < 1e-5);
});
