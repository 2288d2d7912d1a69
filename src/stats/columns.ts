/**
 * What the two phase-randomisation tests (permutation.ts, one pass per draw;
 * phase-null.ts, the frequency-domain GEMMs) share, so that both report the
 * same observed r and ROI statistic, and the same p for the same draws.
 */
import { InputError } from '../core/errors.js';
import type { PermutationResult, RoiSpec } from './permutation.js';

/** The checked settings of a test of r over nT × nV inputs; `test` names the function in errors. */
export function testSettings(
  test: string,
  pred: ArrayLike<number>,
  data: ArrayLike<number>,
  nT: number,
  nV: number,
  opts: { nPerm?: number; alternative?: 'greater' | 'two-sided'; roiStatistic?: 'mean' | 'median'; rois?: RoiSpec[] },
): { nPerm: number; twoSided: boolean; how: 'mean' | 'median'; rois: RoiSpec[] } {
  if (pred.length !== nT * nV || data.length !== nT * nV) {
    throw new InputError(test, `expected ${nT}×${nV} values, got ${pred.length} (prediction) and ${data.length} (data)`);
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
  return { nPerm, twoSided, how, rois };
}

/** Columns centred and scaled by the population SD, so Pearson r = mean over rows of products; constant columns flagged. */
export function zscoreColumns(x: Float32Array | Float64Array, nT: number, nV: number): { z: Float64Array; constant: Uint8Array } {
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

/**
 * The mean or median of the non-NaN r of `voxels`, read at `offset` in `r`
 * (one null draw of a draws × voxels block); NaN when every voxel is NaN.
 * `scratch` holds at least voxels.length values.
 */
export function roiStatistic(r: Float64Array, offset: number, voxels: ArrayLike<number>, how: 'mean' | 'median', scratch: Float64Array): number {
  let n = 0;
  for (let i = 0; i < voxels.length; i++) {
    const x = r[offset + voxels[i]];
    if (!Number.isNaN(x)) scratch[n++] = x;
  }
  if (n === 0) return NaN;
  if (how === 'mean') {
    let s = 0;
    for (let i = 0; i < n; i++) s += scratch[i];
    return s / n;
  }
  const a = scratch.subarray(0, n).sort();
  const m = n >> 1;
  return n % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * p = (1 + #{null ≥ observed}) / (1 + nPerm) per voxel and per ROI from the
 * counts of null draws at least as extreme; an undefined r has p NaN.
 */
export function testResult(
  r: Float64Array,
  count: Float64Array,
  rois: readonly RoiSpec[],
  roiObs: readonly number[],
  roiCount: Float64Array,
  nPerm: number,
  kept: Float64Array | undefined,
): PermutationResult {
  const p = new Float64Array(r.length);
  for (let v = 0; v < r.length; v++) p[v] = Number.isNaN(r[v]) ? NaN : (1 + count[v]) / (1 + nPerm);
  return {
    r,
    p,
    rois: rois.map((roi, j) => ({ name: roi.name, statistic: roiObs[j], p: Number.isNaN(roiObs[j]) ? NaN : (1 + roiCount[j]) / (1 + nPerm) })),
    nPerm,
    ...(kept ? { nullR: kept } : {}),
  };
}
