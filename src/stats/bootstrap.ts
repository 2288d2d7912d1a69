/**
 * Seeded percentile bootstrap. The statistic is a callback over resampled
 * indices, so the same routine bootstraps over stimuli, clips or voxels
 * without the caller copying data.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';

export interface BootstrapCi {
  /** The statistic on the original sample (identity indices). */
  estimate: number;
  /** Lower and upper percentile bounds of the (level) interval, same units as the statistic. */
  lo: number;
  hi: number;
  /** Standard deviation of the bootstrap distribution (bootstrap standard error). */
  se: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Number of bootstrap replicates whose statistic was finite (the others are dropped). */
  nValid: number;
}

export interface BootstrapOptions {
  rng: Rng;
  /** Number of replicates (default 2000). */
  nBoot?: number;
  /** Two-sided confidence level (default 0.95). */
  level?: number;
  /**
   * Circular block bootstrap when > 1: units are drawn in runs of blockLength
   * consecutive indices (wrapping), for autocorrelated series such as BOLD time
   * points. Default 1 (ordinary i.i.d. bootstrap, right for independent stimuli).
   */
  blockLength?: number;
}

/** Linear-interpolation quantile (numpy's default, Hyndman–Fan type 7) of an ascending array. */
export function quantileSorted7(sorted: ArrayLike<number>, prob: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * n indices from 0..n-1 drawn with replacement; with blockLength L > 1, drawn as
 * runs of L consecutive indices from uniform starts, wrapping at n (circular block bootstrap).
 */
export function resampleIndices(n: number, rng: Rng, blockLength = 1): Int32Array {
  if (!(Number.isInteger(blockLength) && blockLength >= 1 && blockLength <= n)) {
    throw new InputError('blockLength', `must be an integer in [1, ${n}], got ${blockLength}`);
  }
  const idx = new Int32Array(n);
  for (let i = 0; i < n; ) {
    const start = rng.int(n);
    for (let k = 0; k < blockLength && i < n; k++) idx[i++] = (start + k) % n;
  }
  return idx;
}

/**
 * Percentile bootstrap CI of statistic(indices) over n units resampled with
 * replacement. Returns the estimate on the full sample and the α/2, 1−α/2
 * percentiles of the replicate distribution, in the statistic's units.
 */
export function bootstrapCi(n: number, statistic: (idx: Int32Array) => number, opts: BootstrapOptions): BootstrapCi {
  const nBoot = opts.nBoot ?? 2000;
  const level = opts.level ?? 0.95;
  if (!(n >= 2)) throw new InputError('bootstrap', `needs at least 2 units to resample, got ${n}`);
  if (!(nBoot >= 10)) throw new InputError('nBoot', `needs at least 10 replicates, got ${nBoot}`);
  if (!(level > 0 && level < 1)) throw new InputError('level', `must be in (0, 1), got ${level}`);
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const estimate = statistic(identity);
  const reps: number[] = [];
  for (let b = 0; b < nBoot; b++) {
    const v = statistic(resampleIndices(n, opts.rng, opts.blockLength ?? 1));
    if (Number.isFinite(v)) reps.push(v);
  }
  reps.sort((a, b) => a - b);
  let mean = 0;
  for (const v of reps) mean += v;
  mean /= reps.length;
  let ss = 0;
  for (const v of reps) ss += (v - mean) * (v - mean);
  const alpha = 1 - level;
  return {
    estimate,
    lo: quantileSorted7(reps, alpha / 2),
    hi: quantileSorted7(reps, 1 - alpha / 2),
    se: reps.length > 1 ? Math.sqrt(ss / (reps.length - 1)) : NaN,
    level,
    nValid: reps.length,
  };
}

/** Percentile bootstrap CI of the mean of x (units of x). */
export function bootstrapMeanCi(x: ArrayLike<number>, opts: BootstrapOptions): BootstrapCi {
  return bootstrapCi(
    x.length,
    (idx) => {
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += x[idx[i]];
      return s / idx.length;
    },
    opts,
  );
}
