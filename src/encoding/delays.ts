/**
 * Design matrices for encoding models: finite-impulse-response (FIR) delays
 * and HRF convolution, both applied run by run. A run boundary is where the
 * run label changes between consecutive rows; nothing is shifted or convolved
 * across it (the scanner stopped in between), and the first TRs of a run see
 * zeros, not the end of the previous run.
 */
import { InputError } from '../core/errors.js';
import { convolve } from '../signal/hrf.js';

/**
 * Default FIR delays in samples (TRs): 1–6. At TR 1.5–2 s they span 1.5–12 s,
 * 96% of the canonical HRF's positive lobe; 1–4 covered only 70% of it
 * (docs/encoding-study.md). Every FIR default in brainalign is this one.
 */
export const DEFAULT_FIR_DELAYS: readonly number[] = [1, 2, 3, 4, 5, 6];

/** Start row of the contiguous segment each row belongs to (a new segment starts wherever the label changes). */
function segmentStarts(n: number, runs?: ArrayLike<number>): { start: Int32Array; end: Int32Array } {
  if (runs !== undefined && runs.length !== n) throw new InputError('runs', `expected ${n} run labels, got ${runs.length}`);
  const start = new Int32Array(n);
  const end = new Int32Array(n); // exclusive
  let s = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || (runs !== undefined && runs[i] !== runs[i - 1])) {
      for (let j = s; j < i; j++) {
        start[j] = s;
        end[j] = i;
      }
      s = i;
    }
  }
  return { start, end };
}

/**
 * FIR design: for X (n×p, row-major) returns n×(p·D) with column block d holding
 * X delayed by delays[d] samples (row t gets X[t − delays[d]]), zero where
 * t − delays[d] falls outside the row's run. Negative delays are leads.
 */
export function delayFeatures<T extends Float32Array | Float64Array>(x: T, n: number, p: number, delays: readonly number[], runs?: ArrayLike<number>): T {
  if (x.length !== n * p) throw new InputError('X', `expected ${n}×${p} = ${n * p} values, got ${x.length}`);
  for (const d of delays) if (!Number.isInteger(d)) throw new InputError('delays', `delays must be integers (samples), got ${d}`);
  const D = delays.length;
  const q = p * D;
  const out = (x instanceof Float64Array ? new Float64Array(n * q) : new Float32Array(n * q)) as T;
  const { start, end } = segmentStarts(n, runs);
  for (let t = 0; t < n; t++) {
    for (let di = 0; di < D; di++) {
      const src = t - delays[di];
      if (src < start[t] || src >= end[t]) continue;
      out.set(x.subarray(src * p, src * p + p), t * q + di * p);
    }
  }
  return out;
}

/**
 * HRF-convolved design: each column of X (n×p) convolved causally with `hrf`
 * (sampled at the TR, e.g. doubleGammaHrf(TR)), restarting at every run.
 * Returns n×p float32.
 */
export function hrfConvolve(x: Float32Array, n: number, p: number, hrf: Float32Array, runs?: ArrayLike<number>): Float32Array {
  if (x.length !== n * p) throw new InputError('X', `expected ${n}×${p} = ${n * p} values, got ${x.length}`);
  const out = new Float32Array(n * p);
  const { start } = segmentStarts(n, runs);
  let s = 0;
  while (s < n) {
    let e = s;
    while (e < n && start[e] === s) e++;
    const len = e - s;
    const col = new Float32Array(len);
    for (let j = 0; j < p; j++) {
      for (let t = 0; t < len; t++) col[t] = x[(s + t) * p + j];
      const y = convolve(col, hrf);
      for (let t = 0; t < len; t++) out[(s + t) * p + j] = y[t];
    }
    s = e;
  }
  return out;
}

/** Length of the shortest run of equal consecutive labels (delays act within runs). */
export function shortestRun(n: number, runs?: ArrayLike<number>): number {
  if (!runs) return n;
  let best = n;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || runs[i] !== runs[i - 1]) {
      best = Math.min(best, i - start);
      start = i;
    }
  }
  return best;
}

/** A delay as long as a run leaves that run's delayed columns all zero: nothing to fit. Errors name `delays`. */
export function checkDelays(delays: readonly number[], runLength: number): void {
  for (const d of delays) {
    if (Math.abs(d) >= runLength) throw new InputError('delays', `delay ${d} is not shorter than the shortest run (${runLength} samples)`);
  }
}
