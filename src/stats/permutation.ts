/**
 * Permutation tests for prediction accuracy r that respect temporal
 * autocorrelation. Shuffling individual time points of a smooth BOLD series
 * destroys its autocorrelation, so the null distribution of r is too narrow
 * and the test rejects far more than α. Instead the prediction's phases are
 * randomised, it is circularly shifted, or its blocks are reordered against
 * the data: the null keeps the prediction's autocorrelation and breaks only
 * the alignment. One null draw (random phases, shift or block order) is
 * applied to all voxels, so voxel nulls stay jointly valid and ROI-level
 * statistics (mean/median r over voxels) get a proper null too.
 *
 * Block reordering loses the autocorrelation across block boundaries, so its
 * null is narrower than the true one by about Σ_k ρ_p(k)ρ_y(k)·|k|/L; with
 * HRF-smooth series and blocks of 8–10 TRs that makes it reject 6–9% at
 * α = .05. Phase randomisation keeps the whole (circular) autocorrelation and
 * is the default of the encode stage (docs/statistics.md).
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { roiStatistic, testResult, testSettings, zscoreColumns } from './columns.js';

/** How the prediction's time axis is scrambled under the null. */
export type NullScheme =
  /** Rotate by s ∈ [minShift, T − minShift] samples (default minShift = round(T/10)). */
  | { kind: 'circular'; minShift?: number }
  /**
   * Cut into ⌊T/blockLength⌋ consecutive blocks of equal length (±1 sample) and reorder them;
   * needs at least MIN_BLOCKS blocks. blockLength 1 = i.i.d. shuffle.
   */
  | { kind: 'block'; blockLength: number }
  /** Randomise the phases of the prediction's discrete Fourier transform (Theiler et al. 1992): same periodogram, new alignment. */
  | { kind: 'phase' };

/**
 * Fewest blocks a block permutation accepts: 8! = 40 320 orders. With 3 blocks
 * there are 6 orders and p can never fall below 1/6, whatever nPerm says.
 */
export const MIN_BLOCKS = 8;

/** Number of blocks of a block scheme over nT samples; throws an InputError naming `option` when below MIN_BLOCKS. */
export function blockCount(nT: number, blockLength: number, option = 'blockLength'): number {
  if (!(Number.isInteger(blockLength) && blockLength >= 1 && blockLength <= nT))
    throw new InputError(option, `must be an integer in [1, ${nT}] samples, got ${blockLength}`);
  const nb = Math.floor(nT / blockLength);
  if (nb < MIN_BLOCKS) {
    throw new InputError(
      option,
      `${nT} samples in blocks of ${blockLength} give ${nb} blocks; a block permutation needs at least ${MIN_BLOCKS} (shorter blocks, longer test runs, or the phase-randomisation null)`,
    );
  }
  return nb;
}

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
  /** Also return every null draw's r (nPerm × nV), e.g. to inspect or plot the null. */
  keepNull?: boolean;
}

export interface PermutationResult {
  /** Observed Pearson r per voxel (NaN for constant voxels). */
  r: Float64Array;
  /** Permutation p-value per voxel, (1 + #{null ≥ observed}) / (1 + nPerm); NaN where r is NaN. */
  p: Float64Array;
  rois: { name: string; statistic: number; p: number }[];
  nPerm: number;
  /** nPerm × nV null r, when keepNull was set. */
  nullR?: Float64Array;
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
  if (scheme.kind === 'phase') throw new InputError('scheme', 'phase randomisation is not a time mapping; use permutationTestR');
  const nb = blockCount(nT, scheme.blockLength);
  // Equal-length blocks (lengths differ by at most one sample): a short tail block moved into the
  // middle would shift every later block boundary, so blocks of unequal size are not exchangeable.
  const start = (k: number): number => Math.round((k * nT) / nb);
  const order = rng.permutation(nb);
  let o = 0;
  for (let k = 0; k < nb; k++) for (let t = start(order[k]); t < start(order[k] + 1); t++) perm[o++] = t;
  return perm;
}

/**
 * Circular cross-products of z-scored prediction and data: X[k·nV + v] =
 * (1/T) Σ_t zp[(t − k) mod T, v] · zd[t, v]. A phase-randomised prediction is
 * the circular convolution of zp with a random kernel c, so its r with the
 * data is Σ_k c_k X[k, v]: one pass over T·nV per null draw.
 */
function circularCrossProducts(zp: Float64Array, zd: Float64Array, nT: number, nV: number): Float64Array {
  const X = new Float64Array(nT * nV);
  for (let k = 0; k < nT; k++) {
    const row = k * nV;
    for (let t = 0; t < nT; t++) {
      const op = ((t - k + nT) % nT) * nV;
      const od = t * nV;
      for (let v = 0; v < nV; v++) X[row + v] += zp[op + v] * zd[od + v];
    }
    for (let v = 0; v < nV; v++) X[row + v] /= nT;
  }
  return X;
}

/**
 * The convolution kernel of one phase randomisation of a length-T real series:
 * c_k = (1/T) Σ_f e^{iφ_f} e^{2πifk/T} with φ_0 = 0 (the mean stays 0),
 * φ_{T−f} = −φ_f (the result stays real) and, for even T, a random sign at
 * the Nyquist frequency. Every |DFT| is unchanged, so the surrogate keeps the
 * series' variance and circular autocorrelation exactly.
 */
export function phaseKernel(nT: number, rng: Rng): Float64Array {
  const half = Math.floor((nT - 1) / 2);
  const phi = new Float64Array(half + 1);
  for (let f = 1; f <= half; f++) phi[f] = 2 * Math.PI * rng.uniform();
  const nyquist = nT % 2 === 0 ? (rng.uniform() < 0.5 ? 1 : -1) : 0;
  const c = new Float64Array(nT);
  for (let k = 0; k < nT; k++) {
    let s = 1;
    for (let f = 1; f <= half; f++) s += 2 * Math.cos(phi[f] + (2 * Math.PI * f * k) / nT);
    if (nyquist !== 0) s += nyquist * (k % 2 === 0 ? 1 : -1);
    c[k] = s / nT;
  }
  return c;
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
  const { nPerm, twoSided, how, rois } = testSettings('permutationTestR', pred, data, nT, nV, opts);
  if (opts.scheme.kind === 'block') blockCount(nT, opts.scheme.blockLength);
  const zp = zscoreColumns(pred, nT, nV);
  const zd = zscoreColumns(data, nT, nV);
  const X = opts.scheme.kind === 'phase' ? circularCrossProducts(zp.z, zd.z, nT, nV) : null;
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
  const scratch = new Float64Array(Math.max(nV, ...rois.map((roi) => roi.voxels.length)));
  const stat = (x: number): number => (twoSided ? Math.abs(x) : x);
  const roiObs = rois.map((roi) => roiStatistic(r, 0, roi.voxels, how, scratch));
  const count = new Float64Array(nV);
  const roiCount = new Float64Array(rois.length);
  const rNull = new Float64Array(nV);
  const kept = opts.keepNull ? new Float64Array(nPerm * nV) : undefined;
  for (let k = 0; k < nPerm; k++) {
    if (X) {
      const c = phaseKernel(nT, opts.rng);
      rNull.fill(0);
      for (let j = 0; j < nT; j++) for (let v = 0; v < nV; v++) rNull[v] += c[j] * X[j * nV + v];
      for (let v = 0; v < nV; v++) if (zp.constant[v] || zd.constant[v]) rNull[v] = NaN;
    } else {
      rAt(nullTimeMap(nT, opts.scheme, opts.rng), rNull);
    }
    kept?.set(rNull, k * nV);
    for (let v = 0; v < nV; v++) if (stat(rNull[v]) >= stat(r[v])) count[v]++;
    for (let j = 0; j < rois.length; j++) {
      if (stat(roiStatistic(rNull, 0, rois[j].voxels, how, scratch)) >= stat(roiObs[j])) roiCount[j]++;
    }
  }
  return testResult(r, count, rois, roiObs, roiCount, nPerm, kept);
}
