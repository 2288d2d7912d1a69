/**
 * Paired comparison of two decoders scored on the same evaluation items
 * (e.g. PredANN with λ = 0.05 against λ = 0, same seeds, same folds):
 *
 * - exact McNemar test on the items' hit/miss pairs: with b items right only
 *   under A and c right only under B, p = min(1, 2·P(X ≥ max(b, c))),
 *   X ~ Binomial(b + c, ½) (two-sided; p = 1 when b = c = 0);
 * - paired sign-flip permutation over seeds: the mean of the per-seed
 *   accuracy differences d_s against its null under random sign flips,
 *   enumerated exactly when 2^S ≤ nPerm (S = 5 seeds cannot give p below
 *   2/32 = 0.0625), else sampled, p = (1 + #{|mean_π| ≥ |mean|}) / (1 + P);
 * - a percentile-bootstrap CI of the mean difference over seeds.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { binomialUpperTail } from '../stats/binomial.js';
import { bootstrapMeanCi } from '../stats/bootstrap.js';

export interface McNemarResult {
  /** Items right under A only, and under B only. */
  b: number;
  c: number;
  p: number;
}

/** Exact two-sided McNemar test of paired hits (1 = right) of decoders A and B. */
export function mcnemarExact(hitsA: ArrayLike<number>, hitsB: ArrayLike<number>): McNemarResult {
  if (hitsA.length !== hitsB.length) throw new InputError('compare', `paired items differ in number (${hitsA.length} vs ${hitsB.length})`);
  let b = 0,
    c = 0;
  for (let i = 0; i < hitsA.length; i++) {
    if (hitsA[i] && !hitsB[i]) b++;
    else if (!hitsA[i] && hitsB[i]) c++;
  }
  const n = b + c;
  return { b, c, p: n === 0 ? 1 : Math.min(1, 2 * binomialUpperTail(Math.max(b, c), n, 0.5)) };
}

export interface SignFlipResult {
  meanDiff: number;
  p: number;
  /** Whether the null was enumerated exactly (all 2^S sign patterns). */
  exact: boolean;
  lo: number;
  hi: number;
}

/** Paired sign-flip test and bootstrap CI of the mean of per-seed differences `d`. */
export function pairedSignFlip(d: readonly number[], rng: Rng, nPerm = 10000, nBoot = 2000): SignFlipResult {
  const S = d.length;
  if (S < 2) throw new InputError('compare', 'a paired test over seeds needs at least 2 seeds');
  const mean = d.reduce((a, b) => a + b, 0) / S;
  const obs = Math.abs(mean) - 1e-12;
  let ge = 0;
  let total = 0;
  const exact = 2 ** S <= nPerm;
  if (exact) {
    for (let m = 0; m < 2 ** S; m++) {
      let s = 0;
      for (let i = 0; i < S; i++) s += (m >> i) & 1 ? -d[i] : d[i];
      if (Math.abs(s / S) >= obs) ge++;
    }
    total = 2 ** S;
  } else {
    const r = rng.fork('sign-flip');
    for (let k = 0; k < nPerm; k++) {
      let s = 0;
      for (let i = 0; i < S; i++) s += r.uniform() < 0.5 ? -d[i] : d[i];
      if (Math.abs(s / S) >= obs) ge++;
    }
    // The observed pattern counts once more in a sampled null.
    ge++;
    total = nPerm + 1;
  }
  const ci = bootstrapMeanCi(d, { rng: rng.fork('boot'), nBoot });
  return { meanDiff: mean, p: ge / total, exact, lo: ci.lo, hi: ci.hi };
}
