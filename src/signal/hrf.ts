/**
 * The canonical haemodynamic response and causal convolution.
 *
 * The SPM canonical HRF is a difference of two gamma densities: a response
 * gamma with shape 6 (peak at 5 s) and an undershoot gamma with shape 16
 * (peak at 15 s), the undershoot weighted 1/6, both with unit scale (1 s).
 * Normalising to unit sum makes a sustained unit input settle at 1, so a
 * feature convolved with it keeps its units.
 */

/** Gamma density with shape k and unit scale at t (seconds); 0 for t ≤ 0. */
function gammaPdf(t: number, k: number): number {
  if (t <= 0) return 0;
  // exp((k-1) ln t − t − ln Γ(k)); Γ(k) = (k−1)! for the integer shapes used here.
  let lnGamma = 0;
  for (let i = 2; i < k; i++) lnGamma += Math.log(i);
  return Math.exp((k - 1) * Math.log(t) - t - lnGamma);
}

/** SPM canonical double-gamma value at t seconds (not normalised). */
export function doubleGammaAt(t: number): number {
  return gammaPdf(t, 6) - gammaPdf(t, 16) / 6;
}

/**
 * SPM canonical double-gamma HRF sampled every `dt` seconds from t = 0 to
 * `lengthSec` (exclusive). Returns a dimensionless kernel scaled to unit sum
 * (peak near 5 s, undershoot near 15 s).
 */
export function doubleGammaHrf(dt: number, lengthSec = 32): Float32Array {
  if (!(dt > 0) || !(lengthSec > dt)) throw new RangeError(`doubleGammaHrf: bad dt ${dt} / length ${lengthSec}`);
  const n = Math.floor(lengthSec / dt + 1e-9);
  const h = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    h[i] = doubleGammaAt(i * dt);
    s += h[i];
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = h[i] / s;
  return out;
}

/**
 * Causal convolution y[t] = Σ_k h[k]·x[t−k], truncated to the length of x
 * (samples before t = 0 count as zero). Returns a Float32Array in the units
 * of x times the units of h. Accumulates in double precision.
 */
export function convolve(x: Float32Array, h: Float32Array): Float32Array {
  const n = x.length;
  const m = h.length;
  const acc = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    const hk = h[k];
    if (hk === 0) continue;
    for (let t = k; t < n; t++) acc[t] += hk * x[t - k];
  }
  return Float32Array.from(acc);
}
