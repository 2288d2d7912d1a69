/**
 * Noise ceilings: how much of a response a perfect model could predict,
 * given measurement noise. See docs/ceilings.md for every equation.
 *
 * A ceiling carries its KIND. A split-half reliability corrected with
 * Spearman–Brown is already a variance ratio (the r² a noiseless model can
 * reach), so it is `{ kind: 'r2' }`; its square root is the correlation
 * ceiling `{ kind: 'r' }`. Brain-Score treated the reliability as a
 * correlation and normalised with (r/ρ)² — squaring the ceiling a second time
 * (brain-score/vision PR #2169). `normalise` refuses a score and a ceiling of
 * different kinds, and refuses a score that is already normalised, so neither
 * mistake can be made silently.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { pearson } from '../stats/correlation.js';

export type CeilingKind = 'r' | 'r2';

/** A noise ceiling: `r` = highest attainable correlation, `r2` = highest attainable explained-variance fraction. */
export interface Ceiling {
  readonly kind: CeilingKind;
  readonly value: number;
}

/** A raw accuracy: a correlation r (kind 'r') or an explained-variance fraction / squared r (kind 'r2'). */
export interface RawScore {
  readonly kind: CeilingKind;
  readonly value: number;
  readonly normalised?: false;
}

/** A ceiling-normalised accuracy (unitless; 1 = at the noise ceiling). Cannot be normalised again. */
export interface NormalisedScore {
  readonly kind: CeilingKind;
  readonly value: number;
  readonly normalised: true;
  readonly ceiling: Ceiling;
}

/** Recorded shape of one voxel's repeated responses: nRuns × nT × nV row-major (run, time, voxel). */
export interface RepeatDims {
  nRuns: number;
  nT: number;
  nV: number;
}

/** Spearman–Brown prophecy: reliability of the average of k parallel measurements from the reliability r of one. Unitless. */
export function spearmanBrown(r: number, k = 2): number {
  if (!(k > 0)) throw new InputError('spearmanBrown', `k must be positive, got ${k}`);
  return (k * r) / (1 + (k - 1) * r);
}

/** The variance ceiling implied by a (Spearman–Brown-corrected) reliability ρ: kind 'r2', value ρ. */
export function reliabilityCeiling(reliability: number): Ceiling {
  return { kind: 'r2', value: reliability };
}

/** Converts a variance ceiling (r2) to the equivalent correlation ceiling (r = √r2); an 'r' ceiling is returned as is. */
export function asCorrelationCeiling(c: Ceiling): Ceiling {
  if (c.kind === 'r') return c;
  return { kind: 'r', value: c.value > 0 ? Math.sqrt(c.value) : NaN };
}

/**
 * score / ceiling, with kinds checked. Returns NaN when the ceiling is not
 * positive (an unreliable voxel has no meaningful ceiling). Throws on kind
 * mismatch and on a score that has already been normalised.
 */
export function normalise(score: RawScore | NormalisedScore, ceiling: Ceiling): NormalisedScore {
  if (score.normalised === true) {
    throw new InputError('ceiling', 'score is already ceiling-normalised; applying a ceiling twice is the Brain-Score #2169 mistake');
  }
  if (score.kind !== ceiling.kind) {
    throw new InputError(
      'ceiling',
      `score is kind '${score.kind}' but ceiling is kind '${ceiling.kind}'; convert one explicitly (asCorrelationCeiling, or square the score) — never square a reliability ceiling`,
    );
  }
  const value = ceiling.value > 0 && Number.isFinite(ceiling.value) ? score.value / ceiling.value : NaN;
  return { kind: score.kind, value, normalised: true, ceiling };
}

function checkRepeats(runs: Float32Array | Float64Array, d: RepeatDims, minRuns: number): void {
  const { nRuns, nT, nV } = d;
  if (!(Number.isInteger(nRuns) && Number.isInteger(nT) && Number.isInteger(nV))) throw new InputError('repeats', 'dimensions must be integers');
  if (nRuns < minRuns) throw new InputError('repeats', `needs at least ${minRuns} repeated runs, got ${nRuns}`);
  if (nT < 3) throw new InputError('repeats', `needs at least 3 time points, got ${nT}`);
  if (runs.length !== nRuns * nT * nV) throw new InputError('repeats', `expected ${nRuns}×${nT}×${nV} values, got ${runs.length}`);
}

/** Mean time course over a subset of runs for voxel v. */
function meanOfRuns(runs: Float32Array | Float64Array, d: RepeatDims, subset: ArrayLike<number>, v: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < subset.length; i++) {
    const base = subset[i] * d.nT * d.nV;
    for (let t = 0; t < d.nT; t++) out[t] += runs[base + t * d.nV + v];
  }
  for (let t = 0; t < d.nT; t++) out[t] /= subset.length;
}

/** All ways to choose k of n items (lexicographic), or `max` random distinct-ish draws when there are too many. */
function halves(nRuns: number, maxSplits: number, rng?: Rng): number[][] {
  const k = Math.floor(nRuns / 2);
  const all: number[][] = [];
  const rec = (start: number, acc: number[]): void => {
    if (all.length > maxSplits) return;
    if (acc.length === k) {
      // For even nRuns, {A, B} and {B, A} are the same split: keep the one containing run 0.
      if (nRuns % 2 === 1 || acc[0] === 0) all.push(acc.slice());
      return;
    }
    for (let i = start; i < nRuns; i++) {
      acc.push(i);
      rec(i + 1, acc);
      acc.pop();
    }
  };
  rec(0, []);
  if (all.length <= maxSplits) return all;
  if (!rng) throw new InputError('splitHalfReliability', `${nRuns} runs give more than ${maxSplits} splits; pass an rng to sample them`);
  const out: number[][] = [];
  for (let s = 0; s < maxSplits; s++) out.push(Array.from(rng.permutation(nRuns).slice(0, k)).sort((a, b) => a - b));
  return out;
}

export interface SplitHalfResult {
  /** Mean over splits of Pearson r between the two half-means, per voxel (unitless). */
  splitHalfR: Float64Array;
  /** Spearman–Brown(splitHalfR, 2): reliability of the all-run mean, per voxel; use as an 'r2' ceiling. */
  reliability: Float64Array;
  /** Number of splits averaged. */
  nSplits: number;
}

/**
 * Split-half reliability of each voxel's mean response. Runs are split into
 * halves of ⌊R/2⌋ and ⌈R/2⌉ runs (all splits when there are ≤ maxSplits,
 * else maxSplits random ones); the half-means are correlated, r is averaged
 * over splits and stepped up with Spearman–Brown (k = 2).
 */
export function splitHalfReliability(runs: Float32Array | Float64Array, d: RepeatDims, opts: { maxSplits?: number; rng?: Rng } = {}): SplitHalfResult {
  checkRepeats(runs, d, 2);
  const splits = halves(d.nRuns, opts.maxSplits ?? 100, opts.rng);
  const a = new Float64Array(d.nT);
  const b = new Float64Array(d.nT);
  const splitHalfR = new Float64Array(d.nV);
  const reliability = new Float64Array(d.nV);
  const complements = splits.map((s) => Array.from({ length: d.nRuns }, (_, i) => i).filter((i) => !s.includes(i)));
  for (let v = 0; v < d.nV; v++) {
    let sum = 0;
    for (let s = 0; s < splits.length; s++) {
      meanOfRuns(runs, d, splits[s], v, a);
      meanOfRuns(runs, d, complements[s], v, b);
      sum += pearson(a, b);
    }
    splitHalfR[v] = sum / splits.length;
    reliability[v] = spearmanBrown(splitHalfR[v], 2);
  }
  return { splitHalfR, reliability, nSplits: splits.length };
}

export interface PairwiseReliabilityResult {
  /** Median over run pairs of Pearson r between single runs, per voxel. */
  medianPairR: Float64Array;
  /** Spearman–Brown(medianPairR, R): reliability of the mean of all R runs, per voxel ('r2' ceiling). */
  reliability: Float64Array;
}

/**
 * Kell et al. 2018 / Tuckute et al. 2023 style reliability: the median over
 * all run pairs of the single-run correlation, stepped up with Spearman–Brown
 * to the number of runs averaged (k = R). Suited to R = 3 where halves are unequal.
 */
export function pairwiseReliability(runs: Float32Array | Float64Array, d: RepeatDims): PairwiseReliabilityResult {
  checkRepeats(runs, d, 2);
  const single = Array.from({ length: d.nRuns }, () => new Float64Array(d.nT));
  const medianPairR = new Float64Array(d.nV);
  const reliability = new Float64Array(d.nV);
  const rs: number[] = [];
  for (let v = 0; v < d.nV; v++) {
    for (let r = 0; r < d.nRuns; r++) meanOfRuns(runs, d, [r], v, single[r]);
    rs.length = 0;
    for (let i = 0; i < d.nRuns; i++) for (let j = i + 1; j < d.nRuns; j++) rs.push(pearson(single[i], single[j]));
    rs.sort((x, y) => x - y);
    const m = rs.length >> 1;
    medianPairR[v] = rs.length % 2 ? rs[m] : (rs[m - 1] + rs[m]) / 2;
    reliability[v] = spearmanBrown(medianPairR[v], d.nRuns);
  }
  return { medianPairR, reliability };
}

export interface SignalPowerResult {
  /** σ̂²_N: across-repeat (noise) variance of a single run, per voxel (data units²). */
  noiseVar: Float64Array;
  /** V_ȳ: variance over time of the repeat-mean response (data units²). */
  meanVar: Float64Array;
  /** σ̂²_S = V_ȳ − σ̂²_N/R: bias-corrected stimulus (signal) variance (data units²; may be < 0 by chance). */
  signalVar: Float64Array;
  /** σ̂²_S / V_ȳ: explainable fraction of the mean response's variance ('r2' ceiling for predicting ȳ). */
  explainableVariance: Float64Array;
  /** √max(σ̂²_S, 0) / √σ̂²_N: noise-ceiling SNR (unitless). */
  ncsnr: Float64Array;
}

/**
 * Hsu/Sahani-style signal power from R repeats of the same stimulus sequence.
 * Each run is first demeaned per voxel (run offsets are not stimulus signal).
 * noiseVar = mean over t of the unbiased across-run variance; meanVar = unbiased
 * variance over t of the run mean; signalVar = meanVar − noiseVar/R.
 */
export function signalPower(runs: Float32Array | Float64Array, d: RepeatDims): SignalPowerResult {
  checkRepeats(runs, d, 2);
  const { nRuns: R, nT: T, nV: V } = d;
  const out: SignalPowerResult = {
    noiseVar: new Float64Array(V),
    meanVar: new Float64Array(V),
    signalVar: new Float64Array(V),
    explainableVariance: new Float64Array(V),
    ncsnr: new Float64Array(V),
  };
  const y = new Float64Array(R * T);
  for (let v = 0; v < V; v++) {
    for (let r = 0; r < R; r++) {
      let m = 0;
      for (let t = 0; t < T; t++) m += runs[(r * T + t) * V + v];
      m /= T;
      for (let t = 0; t < T; t++) y[r * T + t] = runs[(r * T + t) * V + v] - m;
    }
    let noise = 0;
    let sMean = 0;
    let ssMean = 0;
    for (let t = 0; t < T; t++) {
      let mt = 0;
      for (let r = 0; r < R; r++) mt += y[r * T + t];
      mt /= R;
      let ss = 0;
      for (let r = 0; r < R; r++) ss += (y[r * T + t] - mt) ** 2;
      noise += ss / (R - 1);
      sMean += mt;
      ssMean += mt * mt;
    }
    const noiseVar = noise / T;
    const meanVar = (ssMean - (sMean * sMean) / T) / (T - 1);
    const signalVar = meanVar - noiseVar / R;
    out.noiseVar[v] = noiseVar;
    out.meanVar[v] = meanVar;
    out.signalVar[v] = signalVar;
    out.explainableVariance[v] = meanVar > 0 ? signalVar / meanVar : NaN;
    out.ncsnr[v] = noiseVar > 0 ? Math.sqrt(Math.max(signalVar, 0) / noiseVar) : NaN;
  }
  return out;
}

/** Noise ceiling (r2 kind, fraction of variance) of a response averaged over n repeats: ncsnr² / (ncsnr² + 1/n). */
export function ncsnrCeiling(ncsnr: number, nAveraged: number): number {
  const s2 = ncsnr * ncsnr;
  return s2 / (s2 + 1 / nAveraged);
}

/**
 * Kell et al. 2018 / Tuckute et al. 2023 floor on a Spearman–Brown reliability
 * (a variance ratio) before it divides a score. It bounds the correction for
 * unreliable voxels: r/√ρ ≤ 1/√0.182 = 2.34 and r²/ρ ≤ 5.49, instead of ratios
 * that grow without bound as ρ → 0 (29 for a perfect model on the mini-study).
 */
export const TUCKUTE_RELIABILITY_FLOOR = 0.182;

function checkFloor(floor: number): void {
  if (!(floor > 0 && floor <= 1)) throw new InputError('floor', `a reliability floor must be in (0, 1], got ${floor}`);
}

/**
 * Correlation ceiling of one voxel with the reliability floor applied:
 * √max(ρ, floor) (kind 'r'). NaN when ρ is NaN (an undefined reliability is
 * not floored into a number: the caller must count such voxels).
 */
export function flooredCorrelationCeiling(reliability: number, floor = TUCKUTE_RELIABILITY_FLOOR): Ceiling {
  checkFloor(floor);
  return { kind: 'r', value: Number.isNaN(reliability) ? NaN : Math.sqrt(Math.max(reliability, floor)) };
}

/**
 * Tuckute/Kell noise-corrected explained variance of one voxel:
 * max(r, 0)² / (max(r_v, floor) · max(r̂_v, floor)), where r is the held-out
 * correlation between prediction and the all-run mean, r_v the voxel's
 * Spearman–Brown-corrected reliability and r̂_v the model prediction's
 * Spearman–Brown-corrected reliability (predictions fit on disjoint runs).
 * A negative r is set to 0 before squaring, as Tuckute et al. do: squaring
 * would turn an anti-correlated prediction into explained variance. Both
 * reliabilities are variance ratios, so they enter unsquared. Unitless, not
 * clipped (may exceed 1 by estimation noise); NaN if any input is NaN.
 */
export function tuckuteCorrectedR2(r: number, voxelReliability: number, predictionReliability: number, floor = TUCKUTE_RELIABILITY_FLOOR): number {
  checkFloor(floor);
  if (Number.isNaN(r) || Number.isNaN(voxelReliability) || Number.isNaN(predictionReliability)) return NaN;
  const rp = Math.max(r, 0);
  return (rp * rp) / (Math.max(voxelReliability, floor) * Math.max(predictionReliability, floor));
}

/**
 * Noise-corrected explained variance of one voxel when only the voxel's
 * reliability is known (one prediction, no split of the training runs):
 * max(r, 0)² / max(ρ, floor). Unitless, not clipped; NaN if r or ρ is NaN.
 */
export function noiseCorrectedR2(r: number, reliability: number, floor = TUCKUTE_RELIABILITY_FLOOR): number {
  checkFloor(floor);
  if (Number.isNaN(r) || Number.isNaN(reliability)) return NaN;
  const rp = Math.max(r, 0);
  return (rp * rp) / Math.max(reliability, floor);
}
