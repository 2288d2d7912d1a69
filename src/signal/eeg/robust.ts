/**
 * Robust location and spread (median, MAD, IQR) and the robust scaling of
 * EEG channels that PredANN applies before its CNN.
 */

/** Median of a copy of x (NaN for an empty array). */
export function median(x: ArrayLike<number>): number {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/** Linear-interpolated quantile (numpy's default 'linear' method) of sorted values, q in [0, 1]. */
export function quantileSorted(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/**
 * Robust z-scores (x − median) / (1.4826 · MAD); the factor makes the MAD a
 * consistent estimate of the sd under normality. Returns zeros when MAD = 0.
 */
export function robustZ(x: ArrayLike<number>): Float64Array {
  const m = median(x);
  const dev = Float64Array.from(x, (v) => Math.abs(v - m));
  const mad = 1.4826 * median(dev);
  return Float64Array.from(x, (v) => (mad > 0 ? (v - m) / mad : 0));
}

/**
 * Robust scaling of one channel: (x − median) / IQR, clamped to ±clamp
 * (PredANN uses sklearn's RobustScaler and a clamp of 20, which keeps blinks
 * and pops from dominating the CNN's input). A channel with zero IQR (flat)
 * is returned as zeros. Returns float32 in IQR units.
 */
export function robustScale(x: Float32Array, clamp = 20): Float32Array {
  const s = Float64Array.from(x).sort();
  const med = quantileSorted(s, 0.5);
  const iqr = quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
  const out = new Float32Array(x.length);
  if (!(iqr > 0)) return out;
  for (let i = 0; i < x.length; i++) {
    const v = (x[i] - med) / iqr;
    out[i] = Math.min(clamp, Math.max(-clamp, v));
  }
  return out;
}
