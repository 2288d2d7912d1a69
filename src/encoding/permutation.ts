/**
 * Permutation tests for prediction accuracy r that respect temporal
 * autocorrelation. Shuffling individual time points of a smooth BOLD series
 * destroys its autocorrelation, so the null distribution of r is too narrow
 * and the test rejects far more than α. Instead the prediction is circularly
 * shifted, or its blocks reordered, against the data: the null keeps each
 * series' autocorrelation and breaks only their alignment. One time mapping
 * is applied to all voxels per permutation, so voxel nulls stay jointly valid
 * and ROI-level statistics (mean/median r over voxels) get a proper null too.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';

/** How the prediction's time axis is scrambled under the null. */
export type NullScheme =
  /** Rotate by s ∈ [minShift, T − minShift] samples (default minShift = round(T/10)). */
  | { kind: 'circular'; minShift?: number }
  /** Cut into consecutive blocks of blockLength samples and reorder the blocks. blockLength 1 = i.i.d. shuffle. */
  | { kind: 'block'; blockLength: number };

export interface RoiSpec {
  name: string;
  /** Column (voxel) indices belonging to the ROI. */
  voxels: ArrayLike<number>;
}

export interface PermutationOptions {
  rng: Rng;
  scheme: NullScheme;
  /** Number of null draws (default 1000). */
  nPerm?: number;
  /** 'greater' tests r > 0 (default); 'two-sided' tests |r| > 0. */
  alternative?: 'greater' | 'two-sided';
  rois?: RoiSpec[];
  /** ROI statistic over its voxels' r (default 'mean'). */
  roiStatistic?: 'mean' | 'median';
}

export interface PermutationResult {
  /** Observed Pearson r per voxel (NaN for constant voxels). */
  r: Float64Array;
  /** Permutation p-value per voxel, (1 + #{null ≥ observed}) / (1 + nPerm); NaN where r is NaN. */
  p: Float64Array;
  rois: { name: string; statistic: number; p: number }[];
  nPerm: number;
}

/** The time index mapping of one null draw: prediction sample perm[t] is paired with data sample t. */
export function nullTimeMap(nT: number, scheme: NullScheme, rng: Rng): Int32Array {
  const perm = new Int32Array(nT);
  if (scheme.kind === 'circular') {
    const minShift = scheme.minShift ?? Math.max(1, Math.round(nT / 10));
    const span = nT - 2 * minShift + 1;
    if (minShift < 1 || span < 1) throw new InputError('minShift', `${minShift} leaves no admissible shift for ${nT} samples`);
    const s = minShift + rng.int(span);
    for (let t = 0; t < nT; t++) perm[t] = (t + s) % nT;
    return perm;
  }
  const L = scheme.blockLength;
  if (!(Number.isInteger(L) && L >= 1 && L <= nT)) throw new InputError('blockLength', `must be an integer in [1, ${nT}], got ${L}`);
  const nb = Math.ceil(nT / L);
  const order = rng.permutation(nb);
  let o = 0;
  for (let k = 0; k < nb; k++) {
    const start = order[k] * L;
    const end = Math.min(start + L, nT);
    for (let t = start; t < end; t++) perm[o++] = t;
  }
  return perm;
}

/** Columns z-scored with the population SD, so Pearson r = mean over rows of products. */
function zscoreColumns(x: Float32Array | Float64Array, nT: number, nV: number): { z: Float64Array; constant: Uint8Array } {
  const z = new Float64Array(nT * nV);
  const mean = new Float64Array(nV);
  const ss = new Float64Array(nV);
  for (let t = 0; t < nT; t++) for (let v = 0; v < nV; v++) mean[v] += x[t * nV + v];
  for (let v = 0; v < nV; v++) mean[v] /= nT;
  for (let t = 0; t < nT; t++) {
    for (let v = 0; v < nV; v++) {
      const d = x[t * nV + v] - mean[v];
      z[t * nV + v] = d;
      ss[v] += d * d;
    }
  }
  const constant = new Uint8Array(nV);
  const inv = new Float64Array(nV);
  for (let v = 0; v < nV; v++) {
    if (ss[v] === 0) constant[v] = 1;
    else inv[v] = 1 / Math.sqrt(ss[v] / nT);
  }
  for (let t = 0; t < nT; t++) for (let v = 0; v < nV; v++) z[t * nV + v] *= inv[v];
  return { z, constant };
}

function roiStat(r: Float64Array, voxels: ArrayLike<number>, how: 'mean' | 'median', scratch: number[]): number {
  scratch.length = 0;
  for (let i = 0; i < voxels.length; i++) {
    const v = r[voxels[i]];
    if (!Number.isNaN(v)) scratch.push(v);
  }
  if (scratch.length === 0) return NaN;
  if (how === 'mean') {
    let s = 0;
    for (const v of scratch) s += v;
    return s / scratch.length;
  }
  scratch.sort((a, b) => a - b);
  const m = scratch.length >> 1;
  return scratch.length % 2 ? scratch[m] : (scratch[m - 1] + scratch[m]) / 2;
}

/**
 * Per-voxel and per-ROI permutation test of prediction accuracy. `pred` and
 * `data` are nT×nV row-major (time × voxel). Returns observed r (unitless),
 * one-sided (or two-sided) permutation p-values per voxel and per ROI.
 */
export function permutationTestR(
  pred: Float32Array | Float64Array,
  data: Float32Array | Float64Array,
  nT: number,
  nV: number,
  opts: PermutationOptions,
): PermutationResult {
  if (pred.length !== nT * nV || data.length !== nT * nV) {
    throw new InputError('permutationTestR', `expected ${nT}×${nV} values, got ${pred.length} (prediction) and ${data.length} (data)`);
  }
  const nPerm = opts.nPerm ?? 1000;
  if (!(Number.isInteger(nPerm) && nPerm >= 1)) throw new InputError('nPerm', `must be a positive integer, got ${nPerm}`);
  const twoSided = (opts.alternative ?? 'greater') === 'two-sided';
  const how = opts.roiStatistic ?? 'mean';
  const rois = opts.rois ?? [];
  for (const roi of rois) {
    for (let i = 0; i < roi.voxels.length; i++) {
      const v = roi.voxels[i];
      if (!(Number.isInteger(v) && v >= 0 && v < nV)) throw new InputError(`roi ${roi.name}`, `voxel index ${v} outside [0, ${nV})`);
    }
  }
  const zp = zscoreColumns(pred, nT, nV);
  const zd = zscoreColumns(data, nT, nV);
  const identity = new Int32Array(nT);
  for (let t = 0; t < nT; t++) identity[t] = t;
  const rAt = (perm: Int32Array, out: Float64Array): void => {
    out.fill(0);
    for (let t = 0; t < nT; t++) {
      const op = perm[t] * nV;
      const od = t * nV;
      for (let v = 0; v < nV; v++) out[v] += zp.z[op + v] * zd.z[od + v];
    }
    for (let v = 0; v < nV; v++) out[v] = zp.constant[v] || zd.constant[v] ? NaN : out[v] / nT;
  };
  const r = new Float64Array(nV);
  rAt(identity, r);
  const scratch: number[] = [];
  const stat = (x: number): number => (twoSided ? Math.abs(x) : x);
  const roiObs = rois.map((roi) => roiStat(r, roi.voxels, how, scratch));
  const count = new Float64Array(nV);
  const roiCount = new Float64Array(rois.length);
  const rNull = new Float64Array(nV);
  for (let k = 0; k < nPerm; k++) {
    rAt(nullTimeMap(nT, opts.scheme, opts.rng), rNull);
    for (let v = 0; v < nV; v++) if (stat(rNull[v]) >= stat(r[v])) count[v]++;
    for (let j = 0; j < rois.length; j++) {
      if (stat(roiStat(rNull, rois[j].voxels, how, scratch)) >= stat(roiObs[j])) roiCount[j]++;
    }
  }
  const p = new Float64Array(nV);
  for (let v = 0; v < nV; v++) p[v] = Number.isNaN(r[v]) ? NaN : (1 + count[v]) / (1 + nPerm);
  return {
    r,
    p,
    rois: rois.map((roi, j) => ({ name: roi.name, statistic: roiObs[j], p: Number.isNaN(roiObs[j]) ? NaN : (1 + roiCount[j]) / (1 + nPerm) })),
    nPerm,
  };
}
