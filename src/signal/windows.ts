/**
 * Windows in both senses the pipeline needs: taper functions (Hann, Hamming,
 * Kaiser) for spectral analysis and filter design, and framing of long clips
 * or spectrograms into fixed-length analysis windows.
 */

import { InputError } from '../core/errors.js';

/**
 * Hann taper of length n as float64. `periodic` (the default, like
 * scipy.signal.get_window('hann', n) and librosa) is the first n points of an
 * (n+1)-point symmetric window, which is what makes overlap-added frames sum
 * to a constant; `periodic=false` is the symmetric filter-design form.
 */
export function hann(n: number, periodic = true): Float64Array {
  return cosineTaper(n, periodic, 0.5, 0.5);
}

/** Hamming taper of length n (0.54 − 0.46·cos), periodic or symmetric as for `hann`. */
export function hamming(n: number, periodic = true): Float64Array {
  return cosineTaper(n, periodic, 0.54, 0.46);
}

function cosineTaper(n: number, periodic: boolean, a0: number, a1: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new InputError('window', `length must be a positive integer, got ${n}`);
  const w = new Float64Array(n);
  if (n === 1) {
    w[0] = 1;
    return w;
  }
  const denom = periodic ? n : n - 1;
  for (let i = 0; i < n; i++) w[i] = a0 - a1 * Math.cos((2 * Math.PI * i) / denom);
  return w;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges for all real x). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Symmetric Kaiser taper of length n and shape beta (scipy.signal.windows.kaiser(n, beta, sym=True)). */
export function kaiser(n: number, beta: number, periodic = false): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new InputError('window', `length must be a positive integer, got ${n}`);
  const w = new Float64Array(n);
  if (n === 1) {
    w[0] = 1;
    return w;
  }
  const m = periodic ? n : n - 1;
  const denom = besselI0(beta);
  for (let i = 0; i < n; i++) {
    const r = (2 * i) / m - 1;
    w[i] = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / denom;
  }
  return w;
}

/**
 * Start indices (in samples or frames) of every full window of `winLen`
 * spaced by `hop` inside a signal of `nSamples`: 0, hop, 2·hop, … while
 * start + winLen ≤ nSamples. A trailing partial window is dropped, so every
 * window has the same length. Empty when nSamples < winLen.
 */
export function frameWindows(nSamples: number, winLen: number, hop: number): Int32Array {
  if (!Number.isInteger(winLen) || winLen < 1) throw new InputError('window length', `must be a positive integer, got ${winLen}`);
  if (!Number.isInteger(hop) || hop < 1) throw new InputError('window hop', `must be a positive integer, got ${hop}`);
  if (!Number.isInteger(nSamples) || nSamples < 0) throw new InputError('window', `signal length must be a non-negative integer, got ${nSamples}`);
  if (nSamples < winLen) return new Int32Array(0);
  const count = Math.floor((nSamples - winLen) / hop) + 1;
  const starts = new Int32Array(count);
  for (let i = 0; i < count; i++) starts[i] = i * hop;
  return starts;
}

/** Cut a 1-D clip into full windows of `winLen` samples every `hop` samples; each window is a copy. */
export function cutWindows(x: Float32Array, winLen: number, hop: number): Float32Array[] {
  const starts = frameWindows(x.length, winLen, hop);
  return Array.from(starts, (s) => x.slice(s, s + winLen));
}

/** A row-major (rows × frames) matrix such as a mel spectrogram (rows = mel bands). */
export interface FrameMatrix {
  data: Float32Array;
  rows: number;
  frames: number;
}

/**
 * Cut a row-major rows×frames matrix (e.g. nMels×nFrames) along time into
 * windows of `winFrames` frames every `hopFrames` frames. Each window is a
 * new contiguous rows×winFrames row-major matrix.
 */
export function cutFrameWindows(m: FrameMatrix, winFrames: number, hopFrames: number): FrameMatrix[] {
  if (m.data.length !== m.rows * m.frames) {
    throw new InputError('spectrogram', `data length ${m.data.length} ≠ rows ${m.rows} × frames ${m.frames}`);
  }
  const starts = frameWindows(m.frames, winFrames, hopFrames);
  return Array.from(starts, (s) => {
    const out = new Float32Array(m.rows * winFrames);
    for (let r = 0; r < m.rows; r++) {
      out.set(m.data.subarray(r * m.frames + s, r * m.frames + s + winFrames), r * winFrames);
    }
    return { data: out, rows: m.rows, frames: winFrames };
  });
}
