/**
 * Digital filter design and zero-phase application, following scipy.signal's
 * conventions so results can be compared one to one:
 *  - `firwin`: windowed-sinc FIR (scipy.signal.firwin), used by the resampler.
 *  - `butterworth`: analog Butterworth prototype → lowpass/highpass/bandpass/
 *    bandstop transform → bilinear transform with pre-warping, returned as
 *    second-order sections (scipy.signal.butter(..., output='sos')).
 *  - `notch`: second-order IIR notch (scipy.signal.iirnotch).
 *  - `sosfilt`, `sosfiltfilt`: cascade filtering; filtfilt pads with an odd
 *    extension and starts each pass at the steady state of the edge value,
 *    exactly like scipy.signal.sosfiltfilt (padtype='odd').
 *
 * SOS layout: Float64Array of nSections × 6, rows [b0 b1 b2 a0 a1 a2], a0 = 1.
 * Frequencies are in Hz with an explicit sampling rate `fs`.
 */

import { InputError } from '../core/errors.js';
import { hamming, hann, kaiser } from './windows.js';

// ---------------------------------------------------------------- FIR

export type FirWindow = 'hamming' | 'hann' | 'boxcar' | { kaiser: number };

export interface FirwinOptions {
  /** Taper applied to the ideal sinc (default 'hamming', as scipy). */
  window?: FirWindow;
  /** true: the band containing 0 Hz passes (lowpass/bandstop); false: highpass/bandpass. */
  passZero?: boolean;
  /** Normalise so the gain at the centre of the first passband is exactly 1 (default true). */
  scale?: boolean;
  /** Sampling rate in Hz (default 2, so cutoffs are fractions of Nyquist). */
  fs?: number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * Linear-phase FIR taps (length numtaps, float64) by the window method
 * (scipy.signal.firwin). `cutoff` in Hz (relative to `fs`), one edge or an
 * increasing list of band edges.
 */
export function firwin(numtaps: number, cutoff: number | number[], opts: FirwinOptions = {}): Float64Array {
  const fs = opts.fs ?? 2;
  const nyq = fs / 2;
  const passZero = opts.passZero ?? true;
  const scale = opts.scale ?? true;
  if (!Number.isInteger(numtaps) || numtaps < 1) throw new InputError('numtaps', `must be a positive integer, got ${numtaps}`);
  const edges = (Array.isArray(cutoff) ? cutoff : [cutoff]).map((c) => c / nyq);
  if (edges.length === 0) throw new InputError('cutoff', 'at least one cutoff frequency is required');
  for (let i = 0; i < edges.length; i++) {
    if (!(edges[i] > 0 && edges[i] < 1)) throw new InputError('cutoff', `must lie strictly between 0 and fs/2 = ${nyq} Hz`);
    if (i > 0 && !(edges[i] > edges[i - 1])) throw new InputError('cutoff', 'band edges must be strictly increasing');
  }
  // A response that passes Nyquist needs a nonzero gain there, impossible
  // for an even-length (type II) symmetric filter.
  const passNyquist = (edges.length % 2 === 1) !== passZero;
  if (passNyquist && numtaps % 2 === 0) {
    throw new InputError('numtaps', 'a filter passing the Nyquist frequency needs an odd number of taps');
  }
  const bandEdges = [...(passZero ? [0] : []), ...edges, ...(passNyquist ? [1] : [])];
  const alpha = 0.5 * (numtaps - 1);
  const h = new Float64Array(numtaps);
  for (let b = 0; b < bandEdges.length; b += 2) {
    const left = bandEdges[b];
    const right = bandEdges[b + 1];
    for (let i = 0; i < numtaps; i++) {
      const m = i - alpha;
      h[i] = h[i] + right * sinc(right * m) - left * sinc(left * m);
    }
  }
  const win = firWindow(opts.window ?? 'hamming', numtaps);
  for (let i = 0; i < numtaps; i++) h[i] = h[i] * win[i];
  if (scale) {
    const left = bandEdges[0];
    const right = bandEdges[1];
    const f = left === 0 ? 0 : right === 1 ? 1 : 0.5 * (left + right);
    let s = 0;
    for (let i = 0; i < numtaps; i++) s += h[i] * Math.cos(Math.PI * (i - alpha) * f);
    for (let i = 0; i < numtaps; i++) h[i] = h[i] / s;
  }
  return h;
}

function firWindow(w: FirWindow, n: number): Float64Array {
  // Filter design uses symmetric tapers (scipy get_window(..., fftbins=False)).
  if (w === 'hamming') return hamming(n, false);
  if (w === 'hann') return hann(n, false);
  if (w === 'boxcar') return new Float64Array(n).fill(1);
  return kaiser(n, w.kaiser, false);
}

// ---------------------------------------------------------------- complex helpers

interface C {
  re: number;
  im: number;
}
const c = (re: number, im = 0): C => ({ re, im });
const add = (a: C, b: C): C => c(a.re + b.re, a.im + b.im);
const sub = (a: C, b: C): C => c(a.re - b.re, a.im - b.im);
const mul = (a: C, b: C): C => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
const scl = (a: C, s: number): C => c(a.re * s, a.im * s);
function div(a: C, b: C): C {
  const d = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
function csqrt(a: C): C {
  const r = Math.hypot(a.re, a.im);
  const re = Math.sqrt(Math.max(0, (r + a.re) / 2));
  const im = Math.sqrt(Math.max(0, (r - a.re) / 2));
  return c(re, a.im < 0 ? -im : im);
}
function prod(list: C[]): C {
  return list.reduce((acc, v) => mul(acc, v), c(1));
}

// ---------------------------------------------------------------- IIR design

export type FilterType = 'lowpass' | 'highpass' | 'bandpass' | 'bandstop';

interface Zpk {
  z: C[];
  p: C[];
  k: number;
}

/**
 * Butterworth IIR of the given order as second-order sections (float64,
 * nSections × 6). `cutoff` in Hz: one edge for low/highpass, [low, high] for
 * bandpass/bandstop (order doubles, as in scipy). The magnitude is 1/√2
 * (−3.01 dB) at each cutoff for a single pass, 1/2 (−6.02 dB) through sosfiltfilt.
 */
export function butterworth(order: number, cutoff: number | [number, number], fs: number, type: FilterType = 'lowpass'): Float64Array {
  if (!Number.isInteger(order) || order < 1 || order > 24) throw new InputError('order', `must be an integer in 1..24, got ${order}`);
  if (!(fs > 0)) throw new InputError('fs', `must be > 0, got ${fs}`);
  const band = type === 'bandpass' || type === 'bandstop';
  const edges = typeof cutoff === 'number' ? [cutoff] : [...cutoff];
  if (band !== (edges.length === 2)) {
    throw new InputError('cutoff', band ? `${type} needs [low, high] in Hz` : `${type} needs a single cutoff in Hz`);
  }
  for (const e of edges) {
    if (!(e > 0 && e < fs / 2)) throw new InputError('cutoff', `${e} Hz must lie strictly between 0 and fs/2 = ${fs / 2} Hz`);
  }
  if (band && !(edges[0] < edges[1])) throw new InputError('cutoff', `low edge ${edges[0]} must be below high edge ${edges[1]}`);

  // Analog prototype: poles evenly spaced on the left half of the unit circle.
  const p: C[] = [];
  for (let m = -order + 1; m < order; m += 2) {
    const ang = (Math.PI * m) / (2 * order);
    p.push(c(-Math.cos(ang), -Math.sin(ang)));
  }
  let zpk: Zpk = { z: [], p, k: 1 };
  // Pre-warp so the digital cutoffs land exactly where asked after the
  // bilinear transform (design at fs_d = 2, as scipy).
  const warped = edges.map((e) => 4 * Math.tan((Math.PI * (2 * e)) / fs / 2));
  if (type === 'lowpass') zpk = lp2lp(zpk, warped[0]);
  else if (type === 'highpass') zpk = lp2hp(zpk, warped[0]);
  else {
    const wo = Math.sqrt(warped[0] * warped[1]);
    const bw = warped[1] - warped[0];
    zpk = type === 'bandpass' ? lp2bp(zpk, wo, bw) : lp2bs(zpk, wo, bw);
  }
  return zpk2sos(bilinear(zpk, 2));
}

function lp2lp({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  return { z: z.map((v) => scl(v, wo)), p: p.map((v) => scl(v, wo)), k: k * wo ** degree };
}

function lp2hp({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  const zh = z.map((v) => div(c(wo), v));
  for (let i = 0; i < degree; i++) zh.push(c(0));
  const ph = p.map((v) => div(c(wo), v));
  const kk = k * div(prod(z.map((v) => scl(v, -1))), prod(p.map((v) => scl(v, -1)))).re;
  return { z: zh, p: ph, k: kk };
}

function lp2bp({ z, p, k }: Zpk, wo: number, bw: number): Zpk {
  const degree = p.length - z.length;
  const split = (v: C): [C, C] => {
    const lp = scl(v, bw / 2);
    const r = csqrt(sub(mul(lp, lp), c(wo * wo)));
    return [add(lp, r), sub(lp, r)];
  };
  const zb = z.flatMap(split);
  for (let i = 0; i < degree; i++) zb.push(c(0));
  return { z: zb, p: p.flatMap(split), k: k * bw ** degree };
}

function lp2bs({ z, p, k }: Zpk, wo: number, bw: number): Zpk {
  const degree = p.length - z.length;
  const split = (v: C): [C, C] => {
    const hp = div(c(bw / 2), v);
    const r = csqrt(sub(mul(hp, hp), c(wo * wo)));
    return [add(hp, r), sub(hp, r)];
  };
  const zb = z.flatMap(split);
  for (let i = 0; i < degree; i++) {
    zb.push(c(0, wo));
    zb.push(c(0, -wo));
  }
  const kk = k * div(prod(z.map((v) => scl(v, -1))), prod(p.map((v) => scl(v, -1)))).re;
  return { z: zb, p: p.flatMap(split), k: kk };
}

function bilinear({ z, p, k }: Zpk, fs: number): Zpk {
  const fs2 = c(2 * fs);
  const degree = p.length - z.length;
  const zz = z.map((v) => div(add(fs2, v), sub(fs2, v)));
  for (let i = 0; i < degree; i++) zz.push(c(-1));
  const pz = p.map((v) => div(add(fs2, v), sub(fs2, v)));
  const kz = k * div(prod(z.map((v) => sub(fs2, v))), prod(p.map((v) => sub(fs2, v)))).re;
  return { z: zz, p: pz, k: kz };
}

/** Split roots into quadratic factors [1, c1, c2] with real coefficients: conjugate pairs first, then reals paired. */
function quadratics(roots: C[], pairRealsOutsideIn: boolean): [number, number][] {
  const tol = 1e-9;
  const complex = roots.filter((r) => r.im > tol);
  const reals = roots.filter((r) => Math.abs(r.im) <= tol).map((r) => r.re);
  const nNeg = roots.filter((r) => r.im < -tol).length;
  if (nNeg !== complex.length) throw new Error('filter design produced unpaired complex roots');
  const out: [number, number][] = complex.map((r) => [-2 * r.re, r.re * r.re + r.im * r.im]);
  reals.sort((a, b) => a - b);
  // Pairing +1 with −1 zeros gives the well-conditioned [1, 0, −1] band-pass numerator.
  let lo = 0;
  let hi = reals.length - 1;
  while (hi - lo >= 1) {
    const a = reals[lo++];
    const b = pairRealsOutsideIn ? reals[hi--] : reals[lo++];
    out.push([-(a + b), a * b]);
  }
  if (hi === lo) out.push([-reals[lo], 0]);
  return out;
}

function zpk2sos({ z, p, k }: Zpk): Float64Array {
  const pq = quadratics(p, false);
  const zq = quadratics(z, true);
  const n = Math.max(pq.length, zq.length);
  const sos = new Float64Array(n * 6);
  for (let s = 0; s < n; s++) {
    const [b1, b2] = zq[s] ?? [0, 0];
    const [a1, a2] = pq[s] ?? [0, 0];
    // A missing quadratic means degree 0 there: numerator [1, 0, 0].
    const g = s === 0 ? k : 1;
    sos.set([g, g * b1, g * b2, 1, a1, a2], s * 6);
  }
  return sos;
}

/**
 * Second-order IIR notch at f0 Hz with quality factor Q (−3 dB width f0/Q),
 * as one SOS row (scipy.signal.iirnotch). Unity gain away from f0, exact zero at f0.
 */
export function notch(f0: number, Q: number, fs: number): Float64Array {
  if (!(fs > 0)) throw new InputError('fs', `must be > 0, got ${fs}`);
  if (!(f0 > 0 && f0 < fs / 2)) throw new InputError('notch frequency', `${f0} Hz must lie strictly between 0 and fs/2 = ${fs / 2} Hz`);
  if (!(Q > 0)) throw new InputError('Q', `must be > 0, got ${Q}`);
  const w0 = (2 * Math.PI * f0) / fs;
  const bw = w0 / Q;
  // Bandwidth edges are at −3 dB: beta = tan(bw/2) for gb = 1/√2.
  const beta = Math.tan(bw / 2);
  const gain = 1 / (1 + beta);
  const cw = Math.cos(w0);
  return Float64Array.from([gain, -2 * gain * cw, gain, 1, -2 * gain * cw, 2 * gain - 1]);
}

// ---------------------------------------------------------------- application

function checkSos(sos: Float64Array): number {
  if (sos.length === 0 || sos.length % 6 !== 0) throw new InputError('sos', `length ${sos.length} is not a positive multiple of 6`);
  const n = sos.length / 6;
  for (let s = 0; s < n; s++) if (sos[s * 6 + 3] !== 1) throw new InputError('sos', `section ${s} has a0 ≠ 1`);
  return n;
}

/**
 * Initial per-section states (nSections × 2) that make the cascade's output
 * constant for a constant unit input (scipy.signal.sosfilt_zi); multiply by the
 * edge value to start at steady state.
 */
export function sosfiltZi(sos: Float64Array): Float64Array {
  const n = checkSos(sos);
  const zi = new Float64Array(n * 2);
  let scale = 1;
  for (let s = 0; s < n; s++) {
    const o = s * 6;
    const b1 = sos[o + 1];
    const b2 = sos[o + 2];
    const a1 = sos[o + 4];
    const a2 = sos[o + 5];
    const g = (sos[o] + b1 + b2) / (1 + a1 + a2); // DC gain of this section
    // Transposed direct form II at rest with input 1 and output g.
    const z2 = b2 - a2 * g;
    const z1 = b1 - a1 * g + z2;
    zi[s * 2] = z1 * scale;
    zi[s * 2 + 1] = z2 * scale;
    scale *= g;
  }
  return zi;
}

/**
 * Filter x through the SOS cascade (transposed direct form II, float64
 * internally), optionally from initial states zi (nSections × 2, updated in
 * place to the final states). Returns the filtered signal as float64.
 */
export function sosfilt(sos: Float64Array, x: ArrayLike<number>, zi?: Float64Array): Float64Array {
  const n = checkSos(sos);
  const y = Float64Array.from(x);
  const state = zi ?? new Float64Array(n * 2);
  if (state.length !== n * 2) throw new InputError('zi', `length ${state.length} ≠ 2 × ${n} sections`);
  for (let s = 0; s < n; s++) {
    const b0 = sos[s * 6];
    const b1 = sos[s * 6 + 1];
    const b2 = sos[s * 6 + 2];
    const a1 = sos[s * 6 + 4];
    const a2 = sos[s * 6 + 5];
    let z1 = state[s * 2];
    let z2 = state[s * 2 + 1];
    for (let i = 0; i < y.length; i++) {
      const xi = y[i];
      const yi = b0 * xi + z1;
      z1 = b1 * xi - a1 * yi + z2;
      z2 = b2 * xi - a2 * yi;
      y[i] = yi;
    }
    state[s * 2] = z1;
    state[s * 2 + 1] = z2;
  }
  return y;
}

/** Default edge padding of sosfiltfilt: 3 × (2·nSections + 1 − trivial trailing coefficients), as scipy. */
export function sosfiltfiltPadlen(sos: Float64Array): number {
  const n = checkSos(sos);
  let zb = 0;
  let za = 0;
  for (let s = 0; s < n; s++) {
    if (sos[s * 6 + 2] === 0) zb++;
    if (sos[s * 6 + 5] === 0) za++;
  }
  return 3 * (2 * n + 1 - Math.min(zb, za));
}

/**
 * Zero-phase filtering: forward then backward through the cascade, so the
 * magnitude response is squared and the phase is zero (scipy.signal.sosfiltfilt,
 * padtype='odd'). The signal is extended at each end by padlen samples of
 * odd reflection (2·x[edge] − mirrored samples) to tame edge transients.
 * Returns float32, same length as x.
 */
export function sosfiltfilt(sos: Float64Array, x: ArrayLike<number>, opts: { padlen?: number } = {}): Float32Array {
  const edge = opts.padlen ?? sosfiltfiltPadlen(sos);
  const n = x.length;
  if (!Number.isInteger(edge) || edge < 0) throw new InputError('padlen', `must be a non-negative integer, got ${edge}`);
  if (n <= edge) throw new InputError('sosfiltfilt', `signal of ${n} samples must be longer than the padding (${edge})`);
  const ext = new Float64Array(n + 2 * edge);
  const first = x[0];
  const last = x[n - 1];
  for (let i = 0; i < edge; i++) ext[i] = 2 * first - x[edge - i];
  for (let i = 0; i < n; i++) ext[edge + i] = x[i];
  for (let i = 0; i < edge; i++) ext[edge + n + i] = 2 * last - x[n - 2 - i];
  const zi = sosfiltZi(sos);
  const z = zi.map((v) => v * ext[0]);
  const fwd = sosfilt(sos, ext, z);
  fwd.reverse();
  const z2 = zi.map((v) => v * fwd[0]);
  const bwd = sosfilt(sos, fwd, z2);
  bwd.reverse();
  return Float32Array.from(bwd.subarray(edge, edge + n));
}

/**
 * Complex frequency response of an SOS cascade at the given frequencies (Hz):
 * returns |H| (linear gain) and phase (radians) as float64 arrays.
 */
export function sosFreqResponse(sos: Float64Array, freqs: ArrayLike<number>, fs: number): { mag: Float64Array; phase: Float64Array } {
  const n = checkSos(sos);
  const mag = new Float64Array(freqs.length);
  const phase = new Float64Array(freqs.length);
  for (let i = 0; i < freqs.length; i++) {
    const w = (2 * Math.PI * freqs[i]) / fs;
    const z1 = c(Math.cos(-w), Math.sin(-w)); // z^-1
    const z2 = mul(z1, z1);
    let h = c(1);
    for (let s = 0; s < n; s++) {
      const o = s * 6;
      const num = add(add(c(sos[o]), scl(z1, sos[o + 1])), scl(z2, sos[o + 2]));
      const den = add(add(c(sos[o + 3]), scl(z1, sos[o + 4])), scl(z2, sos[o + 5]));
      h = mul(h, div(num, den));
    }
    mag[i] = Math.hypot(h.re, h.im);
    phase[i] = Math.atan2(h.im, h.re);
  }
  return { mag, phase };
}

/** Zero-phase Butterworth band-pass of x (Hz edges, default order 4 → 8 poles, −6 dB at the edges). Float32 out. */
export function bandpassZeroPhase(x: ArrayLike<number>, fs: number, low: number, high: number, order = 4): Float32Array {
  return sosfiltfilt(butterworth(order, [low, high], fs, 'bandpass'), x);
}

/** Zero-phase IIR notch of x at f0 Hz (quality Q, default 30), e.g. mains 50/60 Hz. Float32 out. */
export function notchZeroPhase(x: ArrayLike<number>, fs: number, f0: number, Q = 30): Float32Array {
  return sosfiltfilt(notch(f0, Q, fs), x);
}
