import type { Rng } from '../../src/core/prng.js';

/** A unit-variance AR(1) series x_t = φ x_{t−1} + √(1 − φ²) ε_t: the autocorrelated stand-in for a BOLD-like series. */
export function ar1(n: number, phi: number, rng: Rng): Float64Array {
  const x = new Float64Array(n);
  x[0] = rng.normal();
  const s = Math.sqrt(1 - phi * phi);
  for (let t = 1; t < n; t++) x[t] = phi * x[t - 1] + s * rng.normal();
  return x;
}
