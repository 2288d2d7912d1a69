/**
 * Sound-level encoding (Pepino et al.; Tuckute et al. 2023 on NH2015 / B2021):
 * one response per sound and scan, no time course, so the design is
 * sounds × features of time-averaged activations and needs no HRF.
 *
 * - Each layer's activations are averaged over each sound's rows.
 * - Nested K-fold ridge (nested.ts) over a random order of the sounds: inner
 *   folds choose α and the layer per voxel, the outer fold only scores, so the
 *   chosen layer never sees its test sounds.
 * - Ceilings from the scans: the median Pearson r between pairs of scans,
 *   Spearman–Brown-corrected to the mean of all k scans (ρ). With the single
 *   scans given, Tuckute's correction: the chosen (layer, α) is refit on each
 *   scan alone and the same statistic over those predictions on the test
 *   sounds is the prediction's reliability ρ̂, and the squared noise-corrected
 *   r is max(r, 0)² / (max(ρ, floor)·max(ρ̂, floor)); without them
 *   max(r, 0)² / max(ρ, floor) (ceilings.ts). Then the mean over outer folds.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { pearson } from '../stats/correlation.js';
import { noiseCorrectedR2, spearmanBrown, tuckuteCorrectedR2, TUCKUTE_RELIABILITY_FLOOR } from './ceilings.js';
import { makeFolds } from './cv.js';
import { nestedRidge, type FeatureSpace, type NestedRidgeResult } from './nested.js';
import { ridgeFit, ridgePredict } from './ridge.js';
import type { ClipRows } from './design.js';

/** Sound × feature means of one feature space: row s is the mean of sound ids[s]'s rows. */
export function soundAverages(rows: Float32Array, nFeat: number, index: ReadonlyMap<string, ClipRows>, ids: readonly string[], where: string): Float32Array {
  const out = new Float32Array(ids.length * nFeat);
  ids.forEach((id, s) => {
    const c = index.get(id);
    if (!c) throw new InputError(where, `no feature rows for sound ${id}`);
    if (c.nRows < 1) throw new InputError(where, `sound ${id} has no feature rows`);
    const acc = new Float64Array(nFeat);
    for (let r = c.rowStart; r < c.rowStart + c.nRows; r++) for (let f = 0; f < nFeat; f++) acc[f] += rows[r * nFeat + f];
    for (let f = 0; f < nFeat; f++) out[s * nFeat + f] = acc[f] / c.nRows;
  });
  return out;
}

export interface ScanSummary {
  /** Mean over scans, sounds × voxels row-major. */
  mean: Float32Array;
  /** Spearman–Brown reliability of the k-scan mean per voxel (NaN when a scan is constant). */
  reliability: Float64Array;
}

/** Spearman–Brown-corrected median pairwise Pearson r of k series a[0..k) (NaN when undefined). */
function repeatReliability(series: Float64Array[]): number {
  const rs: number[] = [];
  for (let i = 0; i < series.length; i++) for (let j = i + 1; j < series.length; j++) rs.push(pearson(series[i], series[j]));
  rs.sort((x, y) => x - y);
  const med = rs.length % 2 ? rs[(rs.length - 1) / 2] : (rs[rs.length / 2 - 1] + rs[rs.length / 2]) / 2;
  return Number.isFinite(med) ? spearmanBrown(med, series.length) : NaN;
}

/** Scan mean and reliability of sounds × voxels × scans responses (row-major). */
export function scanSummary(Y: ArrayLike<number>, nSounds: number, nVox: number, nScans: number): ScanSummary {
  if (Y.length !== nSounds * nVox * nScans) throw new InputError('responses', `expected ${nSounds}×${nVox}×${nScans} values, got ${Y.length}`);
  if (nScans < 2) throw new InputError('responses', `a reliability needs at least 2 scans, got ${nScans}`);
  const mean = new Float32Array(nSounds * nVox);
  const reliability = new Float64Array(nVox);
  for (let v = 0; v < nVox; v++) {
    for (let s = 0; s < nSounds; s++) {
      let m = 0;
      for (let k = 0; k < nScans; k++) m += Y[(s * nVox + v) * nScans + k];
      mean[s * nVox + v] = m / nScans;
    }
    const series = Array.from({ length: nScans }, (_, k) => Float64Array.from({ length: nSounds }, (_, s) => Y[(s * nVox + v) * nScans + k]));
    reliability[v] = repeatReliability(series);
  }
  return { mean, reliability };
}

export interface SoundEncodingOptions {
  /** One candidate per layer: sounds × features (row order = the sound order of Y). */
  layers: readonly { name: string; X: Float32Array; p: number }[];
  nSounds: number;
  /** Targets, sounds × v row-major (the scan mean, or components). */
  Y: Float32Array;
  v: number;
  alphas: readonly number[];
  outerFolds: number;
  innerFolds: number;
  /** Shuffles the sounds before the contiguous K folds (the published order groups sounds by category). */
  rng: Rng;
  /** Per-target reliability for the noise correction; null = report raw r² (components). */
  reliability: Float64Array | null;
  /** The single scans (sounds × v × k, row-major): adds the prediction's reliability to the correction (Tuckute et al. 2023). */
  scans?: { Y: Float32Array; k: number };
  floor?: number;
}

export interface SoundEncodingResult {
  /** Mean over outer folds of the held-out r, per target. */
  r: Float32Array;
  /** Mean over outer folds of max(r, 0)² / max(ρ, floor), or of max(r, 0)² without a reliability. */
  r2: Float32Array;
  /** Per outer fold and target: index into layers chosen by the inner folds (nOuter × v). */
  layer: Int32Array;
  nOuter: number;
  /** Per target: the layer chosen most often over the outer folds (ties: the earlier layer). */
  modalLayer: Int32Array;
  /** Mean over outer folds of the prediction's reliability ρ̂ (NaN without single scans). */
  predictionReliability: Float32Array;
}

/**
 * ρ̂ per outer fold and target: the chosen (layer, α) refit on each scan's
 * training sounds alone, its predictions on the test sounds compared across
 * scans (repeatReliability). Rows of X, Y and scans are in the shuffled order
 * nestedRidge saw, and the folds are rebuilt the way it builds them.
 */
function predictionReliabilities(
  layers: readonly FeatureSpace<Float32Array>[],
  n: number,
  v: number,
  scans: Float32Array,
  k: number,
  outerFolds: number,
  res: NestedRidgeResult,
): Float64Array {
  const out = new Float64Array(res.nOuter * v).fill(NaN);
  const folds = makeFolds(n, { k: outerFolds });
  const rows = (X: Float32Array, p: number, idx: Int32Array): Float32Array => {
    const o = new Float32Array(idx.length * p);
    for (let r = 0; r < idx.length; r++) o.set(X.subarray(idx[r] * p, idx[r] * p + p), r * p);
    return o;
  };
  folds.forEach(({ train, test }, f) => {
    layers.forEach((l, li) => {
      const cols: number[] = [];
      for (let t = 0; t < v; t++) if (res.layer[f * v + t] === li) cols.push(t);
      if (cols.length === 0) return;
      const Xtr = rows(l.X, l.p, train);
      const Xte = rows(l.X, l.p, test);
      const alpha = Float64Array.from(cols, (t) => res.alpha[f * v + t]);
      const preds: Float32Array[] = [];
      for (let j = 0; j < k; j++) {
        const Ytr = new Float32Array(train.length * cols.length);
        for (let r = 0; r < train.length; r++) cols.forEach((t, c) => (Ytr[r * cols.length + c] = scans[(train[r] * v + t) * k + j]));
        const fit = ridgeFit({ X: Xtr, n: train.length, p: l.p, Y: Ytr, v: cols.length, alpha });
        preds.push(ridgePredict(Xte, test.length, l.p, fit.weights, fit.intercept, cols.length));
      }
      cols.forEach((t, c) => {
        out[f * v + t] = repeatReliability(preds.map((P) => Float64Array.from({ length: test.length }, (_, r) => P[r * cols.length + c])));
      });
    });
  });
  return out;
}

function permuteRows(a: Float32Array, cols: number, order: ArrayLike<number>): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < order.length; i++) out.set(a.subarray(order[i] * cols, order[i] * cols + cols), i * cols);
  return out;
}

/** Nested K-fold ridge with layer choice over sounds; see the module comment for the protocol. */
export function encodeSounds(o: SoundEncodingOptions): SoundEncodingResult {
  const { nSounds: n, v } = o;
  if (o.layers.length === 0) throw new InputError('layers', 'no feature spaces to choose from');
  if (o.reliability && o.reliability.length !== v) throw new InputError('reliability', `${o.reliability.length} values for ${v} targets`);
  const order = o.rng.permutation(n);
  const Xs: FeatureSpace<Float32Array>[] = o.layers.map((l) => ({ name: l.name, X: permuteRows(l.X, l.p, order), p: l.p }));
  const res = nestedRidge({ Xs, n, Y: permuteRows(o.Y, v, order), v, alphas: o.alphas, outerFolds: o.outerFolds, innerFolds: o.innerFolds });
  const floor = o.floor ?? TUCKUTE_RELIABILITY_FLOOR;
  if (o.scans && o.scans.Y.length !== n * v * o.scans.k) throw new InputError('scans', `expected ${n}×${v}×${o.scans.k} values, got ${o.scans.Y.length}`);
  const predRel =
    o.scans && o.reliability ? predictionReliabilities(Xs, n, v, permuteRows(o.scans.Y, v * o.scans.k, order), o.scans.k, o.outerFolds, res) : null;
  const predMean = new Float32Array(v).fill(NaN);
  const r2 = new Float32Array(v);
  const modalLayer = new Int32Array(v);
  const counts = new Int32Array(o.layers.length);
  for (let k = 0; k < v; k++) {
    let s = 0;
    counts.fill(0);
    for (let f = 0; f < res.nOuter; f++) {
      const r = res.outerR[f * v + k];
      s += !o.reliability
        ? Math.max(r, 0) ** 2
        : predRel
          ? tuckuteCorrectedR2(r, o.reliability[k], predRel[f * v + k], floor)
          : noiseCorrectedR2(r, o.reliability[k], floor);
      counts[res.layer[f * v + k]]++;
    }
    r2[k] = s / res.nOuter;
    if (predRel) {
      let m = 0;
      for (let f = 0; f < res.nOuter; f++) m += predRel[f * v + k];
      predMean[k] = m / res.nOuter;
    }
    let best = 0;
    for (let l = 1; l < counts.length; l++) if (counts[l] > counts[best]) best = l;
    modalLayer[k] = best;
  }
  return { r: res.meanR, r2, layer: res.layer, nOuter: res.nOuter, modalLayer, predictionReliability: predMean };
}

/** Median of the finite values (NaN when there are none). */
export function finiteMedian(x: ArrayLike<number>): number {
  const f = Array.from(x)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (f.length === 0) return NaN;
  return f.length % 2 ? f[(f.length - 1) / 2] : (f[f.length / 2 - 1] + f[f.length / 2]) / 2;
}
