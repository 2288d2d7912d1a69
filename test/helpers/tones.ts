/** Measuring pure tones in filter and resampler outputs. */

/**
 * Amplitude of the f Hz sinusoid in y sampled at `rate` Hz: least-squares fit
 * of sin and cos (the 2×2 normal equations) over the middle half of y, so
 * filter edge transients do not enter. Returns it in the units of y.
 */
export function toneAmplitude(y: ArrayLike<number>, f: number, rate: number): number {
  const a = Math.floor(y.length / 4);
  const b = Math.floor((3 * y.length) / 4);
  let ys = 0,
    yc = 0,
    ss = 0,
    cc = 0,
    sc = 0;
  for (let i = a; i < b; i++) {
    const s = Math.sin((2 * Math.PI * f * i) / rate);
    const c = Math.cos((2 * Math.PI * f * i) / rate);
    ys += y[i] * s;
    yc += y[i] * c;
    ss += s * s;
    cc += c * c;
    sc += s * c;
  }
  const det = ss * cc - sc * sc;
  return Math.hypot((ys * cc - yc * sc) / det, (yc * ss - ys * sc) / det);
}
