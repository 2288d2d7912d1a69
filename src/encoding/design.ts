/**
 * Study designs for fMRI encoding: stimulus features laid on a run's volume
 * grid from its events, and BOLD cleaned run by run. docs/encoding-study.md
 * gives the equations.
 *
 * A feature row k of a clip stands for the clip time [k·Δ, (k+1)·Δ) (Δ = 1 /
 * feature rate); played at onset o it covers [o + k·Δ, o + (k+1)·Δ) of the run.
 * Volume t stands for [t·TR, (t+1)·TR). The design value of volume t is the
 * time average of the features over that interval with silence counted as 0,
 * i.e. each row enters with weight overlap/TR. When Δ = TR and onsets fall on
 * the TR grid this is plain row placement; off the grid a row is split
 * between two volumes instead of being rounded to one (rounding would jitter
 * the design by up to half a TR per event).
 */
import { InputError } from '../core/errors.js';

/** Where a clip's rows sit in a feature matrix. */
export interface ClipRows {
  rowStart: number;
  nRows: number;
}

/** One played clip of a run. */
export interface PlayedClip {
  /** Seconds from the first volume. */
  onset: number;
  /** Seconds played (NaN or ≥ clip length = the whole clip). */
  duration: number;
  stimId: string;
}

/**
 * Design matrix of one run: nVols × nFeat row-major (float32), features
 * averaged over each volume's TR interval (units of the features; 0 = silence).
 * `features` is (Σ rows) × nFeat, `rowSec` the duration of one row in seconds.
 */
export function runDesignMatrix(
  features: Float32Array,
  nFeat: number,
  index: ReadonlyMap<string, ClipRows>,
  rowSec: number,
  events: readonly PlayedClip[],
  nVols: number,
  tr: number,
  where: string,
): Float32Array {
  if (!(rowSec > 0) || !(tr > 0)) throw new InputError(where, `row duration ${rowSec} s and TR ${tr} s must be positive`);
  const out = new Float64Array(nVols * nFeat);
  for (const ev of events) {
    const rows = index.get(ev.stimId);
    if (!rows) throw new InputError(where, `events name stim_id "${ev.stimId}", which the features do not contain`);
    const playEnd = Number.isFinite(ev.duration) ? ev.onset + ev.duration : Infinity;
    for (let k = 0; k < rows.nRows; k++) {
      const a = ev.onset + k * rowSec;
      if (a >= playEnd) break;
      const b = Math.min(ev.onset + (k + 1) * rowSec, playEnd);
      const src = (rows.rowStart + k) * nFeat;
      for (let t = Math.max(0, Math.floor(a / tr)); t < nVols && t * tr < b; t++) {
        const w = (Math.min(b, (t + 1) * tr) - Math.max(a, t * tr)) / tr;
        if (!(w > 0)) continue;
        const dst = t * nFeat;
        for (let j = 0; j < nFeat; j++) out[dst + j] += w * features[src + j];
      }
    }
  }
  return Float32Array.from(out);
}

/**
 * Column mean and sd (population) over the rows of the given clips, each clip
 * counted once: the training statistics the design is standardised with.
 * Constant columns get sd 1 so they stay at 0 instead of becoming NaN.
 */
export function clipRowStats(features: Float32Array, nFeat: number, clips: readonly ClipRows[]): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(nFeat);
  const sd = new Float64Array(nFeat);
  let n = 0;
  for (const c of clips) {
    for (let r = c.rowStart; r < c.rowStart + c.nRows; r++) for (let j = 0; j < nFeat; j++) mean[j] += features[r * nFeat + j];
    n += c.nRows;
  }
  if (n === 0) throw new InputError('features', 'no training clip has feature rows');
  for (let j = 0; j < nFeat; j++) mean[j] /= n;
  for (const c of clips) {
    for (let r = c.rowStart; r < c.rowStart + c.nRows; r++) for (let j = 0; j < nFeat; j++) sd[j] += (features[r * nFeat + j] - mean[j]) ** 2;
  }
  for (let j = 0; j < nFeat; j++) {
    const s = Math.sqrt(sd[j] / n);
    sd[j] = s > 1e-12 * (Math.abs(mean[j]) + 1) ? s : 1;
  }
  return { mean, sd };
}

/** (x − mean)/sd per column of a rows × nFeat matrix; returns a new float32 matrix (standard units). */
export function standardiseRows(features: Float32Array, nFeat: number, stats: { mean: Float64Array; sd: Float64Array }): Float32Array {
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const j = i % nFeat;
    out[i] = (features[i] - stats.mean[j]) / stats.sd[j];
  }
  return out;
}

export interface CleanOptions {
  /** TR in seconds. */
  tr: number;
  /** High-pass cutoff period of the DCT drift basis in seconds (SPM convention); Infinity = none. */
  cutoffSec: number;
  /** Also remove a linear trend. */
  linear: boolean;
}

/**
 * Nuisance basis of one run (nT × K, orthonormal columns): constant, optional
 * linear trend and DCT-II cosines cos(π j (t + ½)/nT) for j = 1 … ⌊2·nT·TR/cutoff⌋.
 */
export function driftBasis(nT: number, opts: CleanOptions): Float64Array[] {
  const cols: Float64Array[] = [new Float64Array(nT).fill(1)];
  if (opts.linear && nT > 2) cols.push(Float64Array.from({ length: nT }, (_, t) => t - (nT - 1) / 2));
  const J = Number.isFinite(opts.cutoffSec) ? Math.floor((2 * nT * opts.tr) / opts.cutoffSec) : 0;
  for (let j = 1; j <= Math.min(J, nT - 2); j++) cols.push(Float64Array.from({ length: nT }, (_, t) => Math.cos((Math.PI * j * (t + 0.5)) / nT)));
  // Gram–Schmidt (twice, for float64 orthogonality of nearly collinear linear/DCT-1 columns).
  const basis: Float64Array[] = [];
  for (const c of cols) {
    const v = Float64Array.from(c);
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let d = 0;
        for (let t = 0; t < nT; t++) d += v[t] * b[t];
        for (let t = 0; t < nT; t++) v[t] -= d * b[t];
      }
    }
    let s = 0;
    for (let t = 0; t < nT; t++) s += v[t] * v[t];
    if (s < 1e-10) continue;
    const inv = 1 / Math.sqrt(s);
    for (let t = 0; t < nT; t++) v[t] *= inv;
    basis.push(v);
  }
  return basis;
}

/**
 * Projects the drift basis out of every column of one run (nT × nCols
 * row-major, in place) by least squares. Applied to the BOLD and to the
 * design alike, so neither keeps slow components the other lost.
 */
export function removeDrift(data: Float32Array, nT: number, nCols: number, opts: CleanOptions): Float32Array {
  const basis = driftBasis(nT, opts);
  const coef = new Float64Array(nCols);
  const resid = new Float64Array(nT * nCols);
  for (let i = 0; i < nT * nCols; i++) resid[i] = data[i];
  for (const b of basis) {
    coef.fill(0);
    for (let t = 0; t < nT; t++) {
      const bt = b[t];
      const o = t * nCols;
      for (let v = 0; v < nCols; v++) coef[v] += bt * resid[o + v];
    }
    for (let t = 0; t < nT; t++) {
      const bt = b[t];
      const o = t * nCols;
      for (let v = 0; v < nCols; v++) resid[o + v] -= bt * coef[v];
    }
  }
  for (let i = 0; i < nT * nCols; i++) data[i] = resid[i];
  return data;
}

/**
 * Clean one run in place: remove the drift basis from every voxel, then
 * z-score each voxel over time (population sd). Voxels with no variance left
 * become 0. `data` is nT × nV row-major; returns it (z units).
 */
export function cleanRun(data: Float32Array, nT: number, nV: number, opts: CleanOptions): Float32Array {
  removeDrift(data, nT, nV, opts);
  const ss = new Float64Array(nV);
  for (let t = 0; t < nT; t++) for (let v = 0; v < nV; v++) ss[v] += data[t * nV + v] ** 2;
  for (let v = 0; v < nV; v++) ss[v] = ss[v] > 1e-20 ? 1 / Math.sqrt(ss[v] / nT) : 0;
  for (let t = 0; t < nT; t++) for (let v = 0; v < nV; v++) data[t * nV + v] *= ss[v];
  return data;
}
