/** Exact binomial tail, for accuracy against chance on a handful of held-out items. */

/** P(X ≥ k) for X ~ Binomial(n, p): the one-sided p-value of k correct out of n at chance p (exact sum). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // log C(n, i) p^i (1-p)^(n-i), summed in linear space from the largest term down; n is small here.
  let logC = 0;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    if (i >= k) s += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return Math.min(1, s);
}
