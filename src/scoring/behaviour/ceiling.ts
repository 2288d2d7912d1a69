/**
 * The split-half listener ceiling: how reliable the pooled listeners'
 * profiles are. Listeners are split into two halves (every split when there
 * are few, else seeded random ones), each profile is correlated between the
 * halves' pooled responses, the correlations are averaged over splits and
 * stepped up to the whole pool by Spearman–Brown.
 */
import type { Rng } from '../../core/prng.js';
import { poolBuffer, poolResponses, profileCorrelations } from './profiles.js';

/** Reliability of the mean of n parallel listeners whose single-listener reliability is ρ1. */
export const spearmanBrown = (rho1: number, n: number): number => (n * rho1) / (1 + (n - 1) * rho1);

/**
 * Single-listener reliability ρ1 and the reliability of the pool of nA + nB
 * listeners, given the mean correlation r between pooled halves of sizes nA
 * and nB. Under parallel listeners r = √(ρ_{nA} ρ_{nB}); ρ1 is solved from that
 * (bisection; it reduces to ρ1 = r / (n − (n−1) r) when nA = nB = n) and
 * stepped up to nA + nB. With equal halves the pool's is the textbook
 * 2r / (1 + r). NaN when r ≤ 0 (no reliable signal to normalise by) or r is NaN.
 */
export function poolReliability(r: number, nA: number, nB: number): { single: number; pool: number } {
  if (!(r > 0)) return { single: NaN, pool: NaN };
  if (r >= 1) return { single: 1, pool: 1 };
  const at = (rho1: number): number => Math.sqrt(spearmanBrown(rho1, nA) * spearmanBrown(rho1, nB));
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 100; it++) {
    const mid = 0.5 * (lo + hi);
    if (at(mid) < r) lo = mid;
    else hi = mid;
  }
  const single = 0.5 * (lo + hi);
  return { single, pool: spearmanBrown(single, nA + nB) };
}

/** C(n, k) as a float (exact for the small n where it matters). */
function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/**
 * Membership masks of half A (size `half`) over n listeners: every subset
 * when there are at most `nSplits` of them (few listeners: exact, no
 * sampling noise), else `nSplits` seeded random ones.
 */
export function halfSplits(n: number, half: number, nSplits: number, rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (choose(n, half) <= nSplits) {
    const pick = (start: number, left: number, mask: Uint8Array): void => {
      if (left === 0) {
        out.push(mask.slice());
        return;
      }
      for (let i = start; i <= n - left; i++) {
        mask[i] = 1;
        pick(i + 1, left - 1, mask);
        mask[i] = 0;
      }
    };
    pick(0, half, new Uint8Array(n));
    return out;
  }
  for (let s = 0; s < nSplits; s++) {
    const perm = rng.permutation(n);
    const mask = new Uint8Array(n);
    for (let i = 0; i < half; i++) mask[perm[i]] = 1;
    out.push(mask);
  }
  return out;
}

export interface SplitHalfCeiling {
  /** Mean over splits of the between-half r of the difficulty profile (unitless). */
  halfDifficulty: number;
  /** Mean over splits of the between-half r of the error profile (unitless). */
  halfErrors: number;
  /** Spearman–Brown reliability of the whole pool's difficulty profile. */
  difficulty: number;
  /** Spearman–Brown reliability of the whole pool's error profile. */
  errors: number;
  /** Reliability of one listener's difficulty profile. */
  difficultySingle: number;
  /** Reliability of one listener's error profile. */
  errorsSingle: number;
}

/**
 * Split-half reliability of the listener pool given by `weights` (listener h
 * counted w_h times; a listener's copies always fall in the same half, so a
 * bootstrap duplicate cannot agree with itself across halves), over clip
 * occurrences `clips`, averaged over the splits of the L distinct listeners
 * into ⌊L/2⌋ and ⌈L/2⌉ (all of them if at most `nSplits`, else `nSplits`
 * seeded random ones).
 */
export function splitHalfCeiling(
  humans: Int32Array,
  nHumans: number,
  trueGenre: Int32Array,
  nGenres: number,
  weights: ArrayLike<number>,
  clips: ArrayLike<number>,
  nSplits: number,
  rng: Rng,
): SplitHalfCeiling {
  const nClips = trueGenre.length;
  const ids: number[] = [];
  for (let h = 0; h < nHumans; h++) if (weights[h] > 0) ids.push(h);
  const none = { halfDifficulty: NaN, halfErrors: NaN, difficulty: NaN, errors: NaN, difficultySingle: NaN, errorsSingle: NaN };
  if (ids.length < 2) return none;
  const half = Math.floor(ids.length / 2);
  const splits = halfSplits(ids.length, half, nSplits, rng);
  let sD = 0,
    nD = 0,
    sE = 0,
    nE = 0,
    sizeA = 0,
    sizeB = 0;
  const wA = new Float64Array(nHumans);
  const wB = new Float64Array(nHumans);
  const bufA = poolBuffer(nClips, nGenres);
  const bufB = poolBuffer(nClips, nGenres);
  for (const inA of splits) {
    wA.fill(0);
    wB.fill(0);
    for (let j = 0; j < ids.length; j++) {
      const h = ids[j];
      if (inA[j]) {
        wA[h] = weights[h];
        sizeA += weights[h];
      } else {
        wB[h] = weights[h];
        sizeB += weights[h];
      }
    }
    const a = poolResponses(humans, nHumans, nClips, nGenres, wA, bufA);
    const b = poolResponses(humans, nHumans, nClips, nGenres, wB, bufB);
    const r = profileCorrelations(a, b, trueGenre, nGenres, clips);
    // A split where one half is constant carries no information about agreement; it is left out.
    if (Number.isFinite(r.difficulty.r)) {
      sD += r.difficulty.r;
      nD++;
    }
    if (Number.isFinite(r.errors.r)) {
      sE += r.errors.r;
      nE++;
    }
  }
  const halfDifficulty = nD > 0 ? sD / nD : NaN;
  const halfErrors = nE > 0 ? sE / nE : NaN;
  const nA = sizeA / splits.length;
  const nB = sizeB / splits.length;
  const d = poolReliability(halfDifficulty, nA, nB);
  const e = poolReliability(halfErrors, nA, nB);
  return { halfDifficulty, halfErrors, difficulty: d.pool, errors: e.pool, difficultySingle: d.single, errorsSingle: e.single };
}
