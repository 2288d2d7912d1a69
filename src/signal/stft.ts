/**
 * Short-time Fourier transform with librosa's framing conventions: frame t
 * covers samples [t·hop − nFft/2, t·hop + nFft/2) when centred, the signal is
 * padded by nFft/2 on both sides ('constant' zeros by default since librosa
 * 0.10, 'reflect' optional), and a periodic Hann window is applied before
 * a real FFT of length nFft.
 */

import { InputError } from '../core/errors.js';
import { RealFft } from './fft.js';
import { hann } from './windows.js';

export type PadMode = 'constant' | 'reflect';

export interface StftOptions {
  /** FFT length in samples (default 2048). */
  nFft?: number;
  /** Hop between frames in samples (default nFft/4, librosa's default). */
  hop?: number;
  /** Centre frames on t·hop by padding nFft/2 samples each side (default true). */
  center?: boolean;
  /** Padding used when centred (default 'constant' = zeros, librosa ≥ 0.10). */
  padMode?: PadMode;
  /** Analysis window of length nFft (default periodic Hann). */
  window?: Float64Array;
}

interface ResolvedStft {
  nFft: number;
  hop: number;
  center: boolean;
  padMode: PadMode;
  window: Float64Array;
}

function resolve(opts: StftOptions): ResolvedStft {
  const nFft = opts.nFft ?? 2048;
  if (!Number.isInteger(nFft) || nFft < 2) throw new InputError('nFft', `must be an integer ≥ 2, got ${nFft}`);
  const hop = opts.hop ?? Math.floor(nFft / 4);
  if (!Number.isInteger(hop) || hop < 1) throw new InputError('hop', `must be a positive integer, got ${hop}`);
  const window = opts.window ?? hann(nFft, true);
  if (window.length !== nFft) throw new InputError('window', `length ${window.length} ≠ nFft ${nFft}`);
  return { nFft, hop, center: opts.center ?? true, padMode: opts.padMode ?? 'constant', window };
}

/** Number of STFT frames for a signal of n samples (librosa: 1 + ⌊(n + 2·pad − nFft)/hop⌋). */
export function stftFrameCount(n: number, opts: StftOptions = {}): number {
  const { nFft, hop, center } = resolve(opts);
  const padded = center ? n + 2 * Math.floor(nFft / 2) : n;
  if (padded < nFft) return 0;
  return 1 + Math.floor((padded - nFft) / hop);
}

/** Map index i of the padded signal to a sample of x, or −1 for a zero. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/**
 * Walk the STFT frames of x, calling `visit(t, re, im)` with the rfft of each
 * windowed frame (bins 0..nFft/2, float64). The buffers are reused between
 * calls, so a visitor must copy what it keeps. Returns the number of frames.
 * This lets callers reduce each spectrum at once (e.g. through a mel
 * filterbank) without holding the whole STFT in memory.
 */
export function forEachStftFrame(x: ArrayLike<number>, opts: StftOptions, visit: (t: number, re: Float64Array, im: Float64Array) => void): number {
  return forEachFrame(x, resolve(opts), visit);
}

function forEachFrame(x: ArrayLike<number>, o: ResolvedStft, visit: (t: number, re: Float64Array, im: Float64Array) => void): number {
  const n = x.length;
  const nFrames = stftFrameCount(n, o);
  if (nFrames === 0) {
    throw new InputError('stft', `signal of ${n} samples is shorter than nFft ${o.nFft} (center=${o.center})`);
  }
  const plan = new RealFft(o.nFft);
  const frame = new Float64Array(o.nFft);
  const re = new Float64Array(plan.nBins);
  const im = new Float64Array(plan.nBins);
  const pad = o.center ? Math.floor(o.nFft / 2) : 0;
  const w = o.window;
  for (let t = 0; t < nFrames; t++) {
    const start = t * o.hop - pad;
    if (start >= 0 && start + o.nFft <= n) {
      for (let i = 0; i < o.nFft; i++) frame[i] = x[start + i] * w[i];
    } else {
      for (let i = 0; i < o.nFft; i++) {
        const s = start + i;
        let v = 0;
        if (s >= 0 && s < n) v = x[s];
        else if (o.padMode === 'reflect') v = x[reflectIndex(s, n)];
        frame[i] = v * w[i];
      }
    }
    plan.forward(frame, re, im);
    visit(t, re, im);
  }
  return nFrames;
}

/**
 * Complex STFT of x: { re, im } each nBins×nFrames row-major (bin-major, as
 * librosa's D[f, t]), nBins = nFft/2 + 1, in the units of x (unnormalised DFT).
 */
export function stft(x: ArrayLike<number>, opts: StftOptions = {}): { re: Float64Array; im: Float64Array; nBins: number; nFrames: number } {
  const o = resolve(opts);
  const nBins = Math.floor(o.nFft / 2) + 1;
  const nFrames = stftFrameCount(x.length, o);
  const outRe = new Float64Array(nBins * nFrames);
  const outIm = new Float64Array(nBins * nFrames);
  forEachFrame(x, o, (t, re, im) => {
    for (let k = 0; k < nBins; k++) {
      outRe[k * nFrames + t] = re[k];
      outIm[k * nFrames + t] = im[k];
    }
  });
  return { re: outRe, im: outIm, nBins, nFrames };
}

/**
 * |STFT|^power of x as float32, nBins×nFrames row-major (power=2 → energy,
 * power=1 → magnitude, in units of x^power).
 */
export function stftMagnitude(x: ArrayLike<number>, opts: StftOptions & { power?: number } = {}): { data: Float32Array; nBins: number; nFrames: number } {
  const o = resolve(opts);
  const power = opts.power ?? 2;
  if (!(power > 0)) throw new InputError('power', `must be > 0, got ${power}`);
  const nBins = Math.floor(o.nFft / 2) + 1;
  const nFrames = stftFrameCount(x.length, o);
  const data = new Float32Array(nBins * nFrames);
  forEachFrame(x, o, (t, re, im) => {
    for (let k = 0; k < nBins; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      data[k * nFrames + t] = power === 2 ? p : power === 1 ? Math.sqrt(p) : p ** (power / 2);
    }
  });
  return { data, nBins, nFrames };
}

/** Centre frequency in Hz of each of the nFft/2+1 STFT bins (librosa.fft_frequencies). */
export function fftFrequencies(sr: number, nFft: number): Float64Array {
  const nBins = Math.floor(nFft / 2) + 1;
  const f = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) f[k] = (k * sr) / nFft;
  return f;
}
