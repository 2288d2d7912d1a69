/**
 * Nested CV (braindnn protocol): voxels planted to depend on one of three
 * feature spaces pick that space in the inner folds, and the outer-fold r of
 * the chosen model equals an explicit refit-and-score on the outer split.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { groupsFromRunLengths, makeFolds } from '../../src/encoding/cv.js';
import { correlateColumns } from '../../src/encoding/correlate.js';
import { nestedRidge } from '../../src/encoding/nested.js';
import { ridgeFit, ridgePredict } from '../../src/encoding/ridge.js';

test('voxels driven by layer L (planted r ≈ 0.7) choose layer L in ≥ 90% of (outer fold, voxel) pairs and reach outer r > 0.5', (t) => {
  const rng = new Rng(31, 'nested');
  const n = 240;
  const p = 12;
  const groups = groupsFromRunLengths([60, 60, 60, 60]);
  const Xs = [0, 1, 2].map((l) => ({ name: `layer${l}`, X: rng.fork(`x${l}`).normals(n * p), p }));
  const v = 30; // voxel k is driven by layer k % 3
  const Y = new Float32Array(n * v);
  for (let k = 0; k < v; k++) {
    const X = Xs[k % 3].X;
    const w = rng.normals(p);
    const norm = Math.hypot(...w);
    for (let j = 0; j < p; j++) w[j] *= Math.sqrt(p) / norm; // signal variance exactly p
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += X[i * p + j] * w[j];
      Y[i * v + k] = s + Math.sqrt(p) * rng.normal(); // noise variance p too → population r = √½ ≈ 0.71
    }
  }
  const res = nestedRidge({ Xs, n, Y, v, alphas: [0.1, 1, 10, 100, 1000], groups, innerFolds: 3 });
  t.is(res.nOuter, 4);
  let right = 0;
  for (let f = 0; f < res.nOuter; f++) for (let k = 0; k < v; k++) if (res.layer[f * v + k] === k % 3) right++;
  t.true(right / (res.nOuter * v) >= 0.9, `layer right ${right}/${res.nOuter * v}`);
  for (let k = 0; k < v; k++) t.true(res.meanR[k] > 0.5, `voxel ${k}: ${res.meanR[k]}`);
});

test('with one feature space and one α, the outer r equals refitting on the outer training runs and scoring the held-out run', (t) => {
  const rng = new Rng(32, 'nested-direct');
  const n = 90;
  const p = 5;
  const v = 4;
  const groups = groupsFromRunLengths([30, 30, 30]);
  const X = Float64Array.from(rng.normals(n * p));
  const Y = Float64Array.from(rng.normals(n * v)).map((y, i) => y + X[Math.floor(i / v) * p + (i % v)]);
  const res = nestedRidge({ Xs: [{ name: 'only', X, p }], n, Y, v, alphas: [3], groups, innerFolds: 2 });
  makeFolds(n, { groups }).forEach((f, fo) => {
    const sub = (a: Float64Array, cols: number, idx: Int32Array) =>
      Float64Array.from({ length: idx.length * cols }, (_, e) => a[idx[Math.floor(e / cols)] * cols + (e % cols)]);
    const { weights, intercept } = ridgeFit({ X: sub(X, p, f.train), n: f.train.length, p, Y: sub(Y, v, f.train), v, alpha: 3 });
    const pred = ridgePredict(sub(X, p, f.test), f.test.length, p, weights, intercept, v);
    const { r } = correlateColumns(pred, sub(Y, v, f.test), f.test.length, v);
    for (let k = 0; k < v; k++) t.true(Math.abs(r[k] - res.outerR[fo * v + k]) < 1e-6);
  });
});
