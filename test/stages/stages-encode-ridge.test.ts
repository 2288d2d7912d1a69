/**
 * Plain-mode encode called as a function: a response planted 2 samples after
 * its feature, in 3 runs of 40 samples, is fitted with FIR delays 1–3 inside
 * the runs. The refitted weights equal numpy's closed-form ridge with an
 * intercept on the same delayed design (built independently, zeros at each
 * run's start), the planted lag carries the weight, and the written index
 * records what was done; bad inputs name the parameter or the file, and
 * a bad cell is located (row, column) under the name the caller gives the input.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { writeNpy } from '../../src/io/npy.js';
import { readRidgeFitArray, readRidgeFitIndex } from '../../src/artifacts/ridge.js';
import { runEncodeRidge } from '../../src/stages/encode-ridge.js';
import { pyArgs } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const dir = tmpDir('ba-stage-ridge-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

const [n, p, v, RUN] = [120, 2, 3, 40];
const ALPHA = 5;
const f = (name: string): string => path.join(dir, name);

test.before(() => {
  const rng = new Rng(7, 'stage-ridge');
  const X = rng.normals(n * p);
  const Y = rng.normals(n * v);
  // Target k follows feature k % p two samples later, within its run, with gain 1.5.
  for (let i = 0; i < n; i++) for (let k = 0; k < v; k++) if (i % RUN >= 2) Y[i * v + k] = 0.5 * Y[i * v + k] + 1.5 * X[(i - 2) * p + (k % p)];
  writeNpy(f('X.npy'), X, [n, p]);
  writeNpy(f('Y.npy'), Y, [n, v]);
  writeNpy(
    f('runs.npy'),
    Int32Array.from({ length: n }, (_, i) => Math.floor(i / RUN)),
    [n],
  );
});

const NUMPY_RIDGE = `
import sys, json, numpy as np
d, delays, alpha, run = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
X = np.load(d + '/X.npy').astype(np.float64); Y = np.load(d + '/Y.npy').astype(np.float64)
n, p = X.shape
D = np.zeros((n, p * len(delays)))
for j, dl in enumerate(delays):
    for i in range(n):
        if i % run - dl >= 0: D[i, j * p:(j + 1) * p] = X[i - dl]
Dc = D - D.mean(0); Yc = Y - Y.mean(0)
W = np.linalg.solve(Dc.T @ Dc + alpha * np.eye(D.shape[1]), Dc.T @ Yc)
b = Y.mean(0) - D.mean(0) @ W
print(json.dumps({'W': W.ravel().tolist(), 'b': b.tolist()}))
`;

test('delays 1–3 within runs, one α: weights and intercepts = numpy closed-form ridge on the delayed design; the planted lag 2 carries ≈ 1.5', (t) => {
  const out = f('fit');
  const res = runEncodeRidge({
    X: f('X.npy'),
    Y: f('Y.npy'),
    runs: f('runs.npy'),
    groups: f('runs.npy'),
    alphas: [ALPHA],
    delays: [1, 2, 3],
    standardize: false,
    weights: true,
    out,
  });
  t.deepEqual([res.targets, res.features, res.folds], [v, p * 3, 3]);
  const ref = pyArgs<{ W: number[]; b: number[] }>(NUMPY_RIDGE, dir, '[1,2,3]', String(ALPHA), String(RUN));
  const W = readRidgeFitArray(out, 'weights.npy');
  const b = readRidgeFitArray(out, 'intercept.npy');
  const worst = Math.max(...ref.W.map((w, i) => Math.abs(w - W[i])), ...ref.b.map((x, i) => Math.abs(x - b[i])));
  t.log(`largest |w − numpy| = ${worst.toExponential(2)}`);
  t.true(worst < 1e-4);
  // Column block 1 (delay 2), feature k % p, target k.
  for (let k = 0; k < v; k++) t.true(Math.abs(W[(1 * p + (k % p)) * v + k] - 1.5) < 0.15, `target ${k}: ${W[(p + (k % p)) * v + k]}`);
  const cvR = readRidgeFitArray(out, 'cv_r.npy');
  t.is(res.meanR, cvR.reduce((s, r) => s + r, 0) / v);
  t.true(res.meanR > 0.8, 'leave-one-run-out r of a strong planted response');
  const index = readRidgeFitIndex(out);
  t.deepEqual([index.samples, index.features, index.targets, index.folds], [n, 6, v, 3]);
  t.deepEqual(index.delays, [1, 2, 3]);
  t.deepEqual(Object.keys(index.files).sort(), ['best_alpha.npy', 'cv_r.npy', 'cv_r2.npy', 'cv_r_all.npy', 'intercept.npy', 'weights.npy']);
});

test('without weights no weights file is written or listed; bad inputs name the parameter or the file', (t) => {
  const out = f('noweights');
  runEncodeRidge({ X: f('X.npy'), Y: f('Y.npy'), folds: 4, standardize: true, weights: false, out });
  t.false(fs.existsSync(path.join(out, 'weights.npy')));
  t.false('weights.npy' in readRidgeFitIndex(out).files);
  const base = { X: f('X.npy'), Y: f('Y.npy'), standardize: false, weights: false, out: f('bad') };
  const where = (o: Partial<Parameters<typeof runEncodeRidge>[0]>): string | undefined =>
    t.throws(() => runEncodeRidge({ ...base, ...o }), { instanceOf: InputError })?.where;
  t.is(where({ runs: f('runs.npy') }), 'delays', 'run labels without delays');
  t.is(where({ runs: f('runs.npy'), delays: [40] }), 'delays', 'a delay as long as a run');
  t.is(where({ folds: 1 }), 'folds');
  t.is(where({ Y: f('runs.npy') }), f('runs.npy'), 'a 1-D target file is named');
  const nan = Float32Array.from({ length: n * p }, (_, i) => (i === 7 ? Number.NaN : 1));
  writeNpy(f('Xnan.npy'), nan, [n, p]);
  const problem = (names?: { X: string }): string | undefined =>
    t.throws(() => runEncodeRidge({ ...base, X: f('Xnan.npy'), names }), { instanceOf: InputError })?.problem;
  t.is(problem(), 'X row 3, column 1 is NaN (values must be finite)', 'the cell is located: element 7 of a 2-column matrix');
  t.is(problem({ X: '--X' }), '--X row 3, column 1 is NaN (values must be finite)', 'the caller names its input');
  t.false(fs.existsSync(f('bad')), 'nothing written for a refused input');
});
