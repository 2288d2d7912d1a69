/**
 * False discovery rate across voxels: Benjamini–Hochberg (1995) step-up
 * procedure, reporting q-values (the smallest FDR level at which each test
 * would be rejected) so thresholds can be chosen after the fact.
 */
import { InputError } from '../core/errors.js';

export interface FdrResult {
  /** BH-adjusted p-values (q-values) in [0, 1]; NaN where the input p was NaN. */
  q: Float64Array;
  /** 1 where q ≤ alpha. */
  rejected: Uint8Array;
  /** Largest raw p that is rejected (0 when none): the voxel-wise threshold at level alpha. */
  pThreshold: number;
  /** Number of finite p-values the correction was taken over (m). */
  m: number;
}

/**
 * Benjamini–Hochberg q-values: q_(i) = min_{j ≥ i} min(1, m·p_(j)/j) over the
 * ascending order p_(1) ≤ … ≤ p_(m). NaN p-values (e.g. constant voxels) are
 * left out of m and get q = NaN, rather than silently counted as nulls.
 */
export function benjaminiHochberg(p: ArrayLike<number>, alpha = 0.05): FdrResult {
  if (!(alpha > 0 && alpha < 1)) throw new InputError('alpha', `must be in (0, 1), got ${alpha}`);
  const n = p.length;
  const finite: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = p[i];
    if (Number.isNaN(v)) continue;
    if (!(v >= 0 && v <= 1)) throw new InputError('p-values', `p[${i}] = ${v} is outside [0, 1]`);
    finite.push(i);
  }
  const m = finite.length;
  finite.sort((a, b) => p[a] - p[b]);
  const q = new Float64Array(n).fill(NaN);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = finite[k];
    running = Math.min(running, (m * p[i]) / (k + 1));
    q[i] = running;
  }
  const rejected = new Uint8Array(n);
  let pThreshold = 0;
  for (let i = 0; i < n; i++) {
    if (q[i] <= alpha) {
      rejected[i] = 1;
      if (p[i] > pThreshold) pThreshold = p[i];
    }
  }
  return { q, rejected, pThreshold, m };
}
