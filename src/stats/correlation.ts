/**
 * Correlation coefficients used by the encoding and RSA code: Pearson,
 * Spearman (Pearson on average ranks) and Kendall's τa. Accumulation is in
 * float64 whatever the input type, because float32 sums over tens of
 * thousands of RDM cells lose the third decimal.
 */
import { InputError } from '../core/errors.js';

type Vec = ArrayLike<number>;

function sameLength(x: Vec, y: Vec, what: string): number {
  if (x.length !== y.length) throw new InputError(what, `length mismatch: ${x.length} vs ${y.length}`);
  if (x.length < 2) throw new InputError(what, `needs at least 2 values, got ${x.length}`);
  return x.length;
}

/** Pearson correlation of x and y (unitless, in [-1, 1]); NaN when either is constant. */
export function pearson(x: Vec, y: Vec): number {
  const n = sameLength(x, y, 'pearson');
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n of x, ties given their average rank (scipy.stats.rankdata 'average'). */
export function rankData(x: Vec): Float64Array {
  const n = x.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((i, j) => x[i] - x[j]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = avg;
    i = j + 1;
  }
  return ranks;
}

function allFinite(x: Vec, what: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new InputError(what, `value ${i} is not finite (${x[i]}); ranks are undefined`);
  }
}

/** Spearman rank correlation (unitless): Pearson r of average ranks; NaN if either is constant. */
export function spearman(x: Vec, y: Vec): number {
  sameLength(x, y, 'spearman');
  allFinite(x, 'spearman');
  allFinite(y, 'spearman');
  return pearson(rankData(x), rankData(y));
}

/**
 * Kendall's τa = (concordant − discordant) / (n(n−1)/2): tied pairs count as
 * neither, and — unlike τb — the denominator is NOT reduced for ties. τa is the
 * RSA-recommended variant when a model predicts tied dissimilarities (Nili et al.
 * 2014): a model that predicts ties cannot be rewarded for them.
 * O(n log n) via Knight's algorithm (sort by x then y, count swaps merge-sorting y).
 */
export function kendallTauA(x: Vec, y: Vec): number {
  const n = sameLength(x, y, 'kendallTauA');
  allFinite(x, 'kendallTauA');
  allFinite(y, 'kendallTauA');
  const s = kendallS(x, y, n);
  return s.s / s.n0;
}

/** Kendall's τb (ties-adjusted denominator), for comparison with scipy.stats.kendalltau. */
export function kendallTauB(x: Vec, y: Vec): number {
  const n = sameLength(x, y, 'kendallTauB');
  allFinite(x, 'kendallTauB');
  allFinite(y, 'kendallTauB');
  const s = kendallS(x, y, n);
  const d = Math.sqrt((s.n0 - s.tiesX) * (s.n0 - s.tiesY));
  return d === 0 ? NaN : s.s / d;
}

/** S = concordant − discordant, plus tie counts, in O(n log n). */
function kendallS(x: Vec, y: Vec, n: number): { s: number; n0: number; tiesX: number; tiesY: number } {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((i, j) => x[i] - x[j] || y[i] - y[j]);
  // Pairs tied in x (n1) and tied in both x and y (n3), counted on runs of the sorted order.
  let n1 = 0;
  let n3 = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]] === x[idx[i]]) j++;
    const run = j - i + 1;
    n1 += (run * (run - 1)) / 2;
    let k = i;
    while (k <= j) {
      let m = k;
      while (m + 1 <= j && y[idx[m + 1]] === y[idx[k]]) m++;
      const r2 = m - k + 1;
      n3 += (r2 * (r2 - 1)) / 2;
      k = m + 1;
    }
    i = j + 1;
  }
  // Merge sort the y sequence (in x order) counting inversions = discordant pairs
  // among pairs not tied in x (pairs tied in x are already sorted by y, so no swaps).
  const ys = new Float64Array(n);
  for (let k = 0; k < n; k++) ys[k] = y[idx[k]];
  const buf = new Float64Array(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      let o = lo;
      while (a < mid && b < hi) {
        if (ys[b] < ys[a]) {
          buf[o++] = ys[b++];
          swaps += mid - a;
        } else buf[o++] = ys[a++];
      }
      while (a < mid) buf[o++] = ys[a++];
      while (b < hi) buf[o++] = ys[b++];
    }
    ys.set(buf);
  }
  // Pairs tied in y (n2), counted on the now-sorted y.
  let n2 = 0;
  i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && ys[j + 1] === ys[i]) j++;
    const run = j - i + 1;
    n2 += (run * (run - 1)) / 2;
    i = j + 1;
  }
  const n0 = (n * (n - 1)) / 2;
  const s = n0 - n1 - n2 + n3 - 2 * swaps;
  return { s, n0, tiesX: n1, tiesY: n2 };
}
