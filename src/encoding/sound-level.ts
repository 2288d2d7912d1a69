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
 *   Spearman–Brown-corrected to the mean of all k scans (ρ), and the squared
 *   noise-corrected r max(r, 0)² / max(ρ, floor) per outer fold (ceilings.ts),
 *   then the mean over outer folds.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { pearson } from './correlation.js';
import { noiseCorrectedR2, spearmanBrown, TUCKUTE_RELIABILITY_FLOOR } from './ceilings.js';
import { nestedRidge, type FeatureSpace } from './nested.js';
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

/** Scan mean and reliability of sounds × voxels × scans responses (row-major). */
export function scanSummary(Y: ArrayLike<number>, nSounds: number, nVox: number, nScans: number): ScanSummary {
  if (Y.length !== nSounds * nVox * nScans) throw new InputError('responses', `expected ${nSounds}×${nVox}×${nScans} values, got ${Y.length}`);
  if (nScans < 2) throw new InputError('responses', `a reliability needs at least 2 scans, got ${nScans}`);
  const mean = new Float32Array(nSounds * nVox);
  const reliability = new Float64Array(nVox);
  const a = new Float64Array(nSounds);
  const b = new Float64Array(nSounds);
  for (let v = 0; v < nVox; v++) {
    for (let s = 0; s < nSounds; s++) {
      let m = 0;
      for (let k = 0; k < nScans; k++) m += Y[(s * nVox + v) * nScans + k];
      mean[s * nVox + v] = m / nScans;
    }
    const rs: number[] = [];
    for (let i = 0; i < nScans; i++) {
      for (let j = i + 1; j < nScans; j++) {
        for (let s = 0; s < nSounds; s++) {
          a[s] = Y[(s * nVox + v) * nScans + i];
          b[s] = Y[(s * nVox + v) * nScans + j];
        }
        rs.push(pearson(a, b));
      }
    }
    rs.sort((x, y) => x - y);
    const med = rs.length % 2 ? rs[(rs.length - 1) / 2] : (rs[rs.length / 2 - 1] + rs[rs.length / 2]) / 2;
    reliability[v] = Number.isFinite(med) ? spearmanBrown(med, nScans) : NaN;
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
  const r2 = new Float32Array(v);
  const modalLayer = new Int32Array(v);
  const counts = new Int32Array(o.layers.length);
  for (let k = 0; k < v; k++) {
    let s = 0;
    counts.fill(0);
    for (let f = 0; f < res.nOuter; f++) {
      const r = res.outerR[f * v + k];
      s += o.reliability ? noiseCorrectedR2(r, o.reliability[k], floor) : Math.max(r, 0) ** 2;
      counts[res.layer[f * v + k]]++;
    }
    r2[k] = s / res.nOuter;
    let best = 0;
    for (let l = 1; l < counts.length; l++) if (counts[l] > counts[best]) best = l;
    modalLayer[k] = best;
  }
  return { r: res.meanR, r2, layer: res.layer, nOuter: res.nOuter, modalLayer };
}

/** Median of the finite values (NaN when there are none). */
export function finiteMedian(x: ArrayLike<number>): number {
  const f = Array.from(x).filter(Number.isFinite).sort((a, b) => a - b);
  if (f.length === 0) return NaN;
  return f.length % 2 ? f[(f.length - 1) / 2] : (f[f.length / 2 - 1] + f[f.length / 2]) / 2;
}
