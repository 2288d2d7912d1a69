/**
 * Border checks for numeric arrays. Float32 arithmetic overflows at 3.4e38,
 * so finite inputs near 1e38 still give infinite Gram matrices and NaN
 * weights; the checks refuse such data where the file can be named.
 */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Index of the first NaN or ±Infinity, or −1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/**
 * The largest column sum of squares of a row-major n×p matrix, in float64.
 * Every entry of XᵀX (and, by Cauchy–Schwarz, of XᵀY) is bounded by these
 * sums, so below FLOAT32_MAX the float32 products cannot overflow.
 */
export function maxColumnSumOfSquares(a: ArrayLike<number>, n: number, p: number): { value: number; column: number } {
  const ss = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < p; j++) ss[j] += a[o + j] * a[o + j];
  }
  let column = 0;
  for (let j = 1; j < p; j++) if (ss[j] > ss[column]) column = j;
  return { value: p > 0 ? ss[column] : 0, column };
}
