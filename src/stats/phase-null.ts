/**
 * The phase-randomisation permutation test of permutationTestR (same draws,
 * same p-values up to float rounding) computed in the frequency domain with
 * three GEMMs instead of one pass over time × voxels per null draw.
 *
 * With z-scored prediction zp and data zd (T × V) and their DFTs P_f, D_f, a
 * phase-randomised prediction (phases φ_f, φ_{T−f} = −φ_f, random sign s at
 * the Nyquist frequency of even T) has Pearson r with the data
 *     r(φ) = (1/T²) [ P_0 D_0 + Σ_{0<f<T/2} 2 Re(e^{iφ_f} P_f conj D_f) + s P_{T/2} D_{T/2} ]
 * (Parseval). Each null r is therefore the dot product of one row of phase
 * coefficients [1, 2cos φ_f, −2sin φ_f, s] with the voxel's cross-spectrum
 * [Re, Im of P_f conj D_f]: all draws × all voxels is one (nPerm × T)·(T × V)
 * GEMM, and the spectra themselves are two (T × T)·(T × V) GEMMs against the
 * real DFT basis. The draws consume the Rng exactly as phaseKernel does, so a
 * seed gives the same phases, and the same null, as permutationTestR.
 * docs/statistics.md gives the test.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { getLinalg, type Linalg } from '../linalg/index.js';
import { roiStatistic, testResult, testSettings, zscoreColumns } from './columns.js';
import type { PermutationResult, RoiSpec } from './permutation.js';

export interface PhaseNullOptions {
  rng: Rng;
  /** Number of null draws (default 1000). */
  nPerm?: number;
  /** 'greater' tests r > 0 (default); 'two-sided' tests |r| > 0. */
  alternative?: 'greater' | 'two-sided';
  rois?: RoiSpec[];
  /** ROI statistic over its voxels' r (default 'mean'). */
  roiStatistic?: 'mean' | 'median';
  /** Also return every null draw's r (nPerm × nV). */
  keepNull?: boolean;
  /** Null draws per GEMM (bounds memory at drawsPerBlock × nV doubles; default 256). */
  drawsPerBlock?: number;
  linalg?: Linalg;
}

/**
 * Real DFT basis, T × T row-major: row 0 = 1, rows 2f−1 and 2f = cos and sin
 * of 2πft/T for 0 < f < T/2, and for even T the last row = (−1)^t. The
 * argument is reduced mod T in integers so large f·t keep full precision.
 */
function realDftBasis(nT: number): Float64Array {
  const half = Math.floor((nT - 1) / 2);
  const b = new Float64Array(nT * nT);
  for (let t = 0; t < nT; t++) b[t] = 1;
  for (let f = 1; f <= half; f++) {
    for (let t = 0; t < nT; t++) {
      const a = (2 * Math.PI * ((f * t) % nT)) / nT;
      b[(2 * f - 1) * nT + t] = Math.cos(a);
      b[2 * f * nT + t] = Math.sin(a);
    }
  }
  if (nT % 2 === 0) for (let t = 0; t < nT; t++) b[(nT - 1) * nT + t] = t % 2 === 0 ? 1 : -1;
  return b;
}

/**
 * Cross-spectrum rows (T × V, laid out as the basis) scaled by 1/T², so that a
 * null r is one coefficient row times a column. With C_f = Σ_t cos(2πft/T)x_t
 * and S_f = Σ_t sin(2πft/T)x_t the DFT is X_f = C_f − iS_f, hence
 * Re(P conj D) = C_p C_d + S_p S_d and Im(P conj D) = C_p S_d − S_p C_d.
 */
function crossSpectrum(la: Linalg, basis: Float64Array, zp: Float64Array, zd: Float64Array, nT: number, nV: number): Float64Array {
  const fp = la.gemm(basis, zp, new Float64Array(nT * nV), nT, nV, nT);
  const fd = la.gemm(basis, zd, new Float64Array(nT * nV), nT, nV, nT);
  const g = new Float64Array(nT * nV);
  const s = 1 / (nT * nT);
  const half = Math.floor((nT - 1) / 2);
  for (let v = 0; v < nV; v++) g[v] = fp[v] * fd[v] * s;
  for (let f = 1; f <= half; f++) {
    const oc = (2 * f - 1) * nV;
    const os = 2 * f * nV;
    for (let v = 0; v < nV; v++) {
      const cp = fp[oc + v];
      const sp = fp[os + v];
      const cd = fd[oc + v];
      const sd = fd[os + v];
      g[oc + v] = (cp * cd + sp * sd) * s;
      g[os + v] = (cp * sd - sp * cd) * s;
    }
  }
  if (nT % 2 === 0) {
    const o = (nT - 1) * nV;
    for (let v = 0; v < nV; v++) g[o + v] = fp[o + v] * fd[o + v] * s;
  }
  return g;
}

/**
 * Phase coefficients of draws k0 … k0+m−1 (m × T), drawn in phaseKernel's
 * order (φ_1 … φ_half uniform on [0, 2π), then the Nyquist sign for even T).
 * Re(e^{iφ}(a + ib)) = cos φ·a − sin φ·b gives the row [1, 2cos φ_f, −2sin φ_f, s].
 */
function phaseCoefficients(nT: number, m: number, rng: Rng): Float64Array {
  const half = Math.floor((nT - 1) / 2);
  const c = new Float64Array(m * nT);
  for (let k = 0; k < m; k++) {
    const o = k * nT;
    c[o] = 1;
    for (let f = 1; f <= half; f++) {
      const phi = 2 * Math.PI * rng.uniform();
      c[o + 2 * f - 1] = 2 * Math.cos(phi);
      c[o + 2 * f] = -2 * Math.sin(phi);
    }
    if (nT % 2 === 0) c[o + nT - 1] = rng.uniform() < 0.5 ? 1 : -1;
  }
  return c;
}

/**
 * Per-voxel and per-ROI phase-randomisation test of prediction accuracy:
 * `pred` and `data` are nT × nV row-major (time × voxel). Returns observed r
 * (unitless), one-sided (or two-sided) p = (1 + #{null ≥ observed}) / (1 + nPerm)
 * per voxel and per ROI, as permutationTestR with scheme 'phase'.
 */
export function phaseNullTestR(
  pred: Float32Array | Float64Array,
  data: Float32Array | Float64Array,
  nT: number,
  nV: number,
  opts: PhaseNullOptions,
): PermutationResult {
  const { nPerm, twoSided, how, rois } = testSettings('phaseNullTestR', pred, data, nT, nV, opts);
  if (!(Number.isInteger(nT) && nT >= 2)) throw new InputError('phaseNullTestR', `need at least 2 samples, got ${nT}`);
  const la = opts.linalg ?? getLinalg();
  const zp = zscoreColumns(pred, nT, nV);
  const zd = zscoreColumns(data, nT, nV);
  const dead = new Uint8Array(nV);
  for (let v = 0; v < nV; v++) dead[v] = zp.constant[v] | zd.constant[v];

  // Observed r summed in time order, as permutationTestR does, so both report the same r.
  const r = new Float64Array(nV);
  for (let t = 0; t < nT; t++) for (let v = 0; v < nV; v++) r[v] += zp.z[t * nV + v] * zd.z[t * nV + v];
  for (let v = 0; v < nV; v++) r[v] = dead[v] ? NaN : r[v] / nT;

  const g = crossSpectrum(la, realDftBasis(nT), zp.z, zd.z, nT, nV);
  const stat = (x: number): number => (twoSided ? Math.abs(x) : x);
  const scratch = new Float64Array(Math.max(nV, ...rois.map((roi) => roi.voxels.length)));
  // NaN for dead voxels: no null value compares ≥ NaN, as with permutationTestR's stat(null) ≥ stat(NaN).
  const thr = r.map(stat);
  const roiObs = rois.map((roi) => roiStatistic(r, 0, roi.voxels, how, scratch));
  const count = new Float64Array(nV);
  const roiCount = new Float64Array(rois.length);
  const kept = opts.keepNull ? new Float64Array(nPerm * nV) : undefined;
  const block = Math.max(1, Math.min(nPerm, Math.floor(opts.drawsPerBlock ?? 256)));
  const nullBuf = new Float64Array(block * nV);
  for (let k0 = 0; k0 < nPerm; k0 += block) {
    const m = Math.min(block, nPerm - k0);
    const coef = phaseCoefficients(nT, m, opts.rng);
    const rNull = la.gemm(coef, g, nullBuf.subarray(0, m * nV), m, nV, nT);
    for (let k = 0; k < m; k++) {
      const o = k * nV;
      for (let v = 0; v < nV; v++) if (dead[v]) rNull[o + v] = NaN;
      // nV × nPerm comparisons per map: the sidedness is decided once per draw, not per comparison
      if (twoSided) {
        for (let v = 0; v < nV; v++) if (Math.abs(rNull[o + v]) >= thr[v]) count[v]++;
      } else {
        for (let v = 0; v < nV; v++) if (rNull[o + v] >= thr[v]) count[v]++;
      }
      for (let j = 0; j < rois.length; j++) if (stat(roiStatistic(rNull, o, rois[j].voxels, how, scratch)) >= stat(roiObs[j])) roiCount[j]++;
    }
    kept?.set(rNull, k0 * nV);
  }
  return testResult(r, count, rois, roiObs, roiCount, nPerm, kept);
}
