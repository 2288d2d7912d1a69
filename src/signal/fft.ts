/**
 * Discrete Fourier transforms over typed arrays, in float64.
 *
 * Power-of-two lengths use an iterative radix-2 transform with precomputed
 * twiddles; any other length goes through Bluestein's chirp-z identity, which
 * re-expresses the DFT as a circular convolution of power-of-two length. Plans
 * are cached by length because the STFT calls the same size thousands of times.
 *
 * Sign convention matches numpy.fft: forward X[k] = Σ x[n]·exp(−2πi·kn/N),
 * inverse carries the 1/N factor.
 */

import { InputError } from '../core/errors.js';

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Smallest power of two ≥ n. */
export function nextPow2(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

interface Radix2Plan {
  n: number;
  rev: Uint32Array;
  cos: Float64Array; // cos(2πk/n), k < n/2
  sin: Float64Array; // sin(2πk/n), k < n/2
}

const radix2Plans = new Map<number, Radix2Plan>();

function radix2Plan(n: number): Radix2Plan {
  let plan = radix2Plans.get(n);
  if (plan) return plan;
  const bits = Math.round(Math.log2(n));
  const rev = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    rev[i] = r;
  }
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    // Direct evaluation per k (not a recurrence) keeps twiddle error at 1 ulp.
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  plan = { n, rev, cos, sin };
  radix2Plans.set(n, plan);
  return plan;
}

function radix2InPlace(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  if (n <= 1) return;
  const { rev, cos, sin } = radix2Plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
    }
  }
  const sgn = inverse ? 1 : -1;
  for (let size = 2; size <= n; size *= 2) {
    const halfSize = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < halfSize; k++) {
        const wr = cos[k * step];
        const wi = sgn * sin[k * step];
        const a = start + k;
        const b = a + halfSize;
        const br = re[b];
        const bi = im[b];
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] = re[a] + tr;
        im[a] = im[a] + ti;
      }
    }
  }
}

interface BluesteinPlan {
  n: number;
  m: number;
  chirpRe: Float64Array; // exp(−iπk²/n)
  chirpIm: Float64Array;
  kernRe: Float64Array; // FFT of the conjugate chirp, length m
  kernIm: Float64Array;
}

const bluesteinPlans = new Map<number, BluesteinPlan>();

function bluesteinPlan(n: number): BluesteinPlan {
  let plan = bluesteinPlans.get(n);
  if (plan) return plan;
  const m = nextPow2(2 * n - 1);
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k² mod 2n keeps the angle small so large n loses no precision.
    const k2 = (k * k) % (2 * n);
    const ang = (Math.PI * k2) / n;
    chirpRe[k] = Math.cos(ang);
    chirpIm[k] = -Math.sin(ang);
  }
  const kernRe = new Float64Array(m);
  const kernIm = new Float64Array(m);
  kernRe[0] = chirpRe[0];
  kernIm[0] = -chirpIm[0];
  for (let k = 1; k < n; k++) {
    kernRe[k] = kernRe[m - k] = chirpRe[k];
    kernIm[k] = kernIm[m - k] = -chirpIm[k];
  }
  radix2InPlace(kernRe, kernIm, false);
  plan = { n, m, chirpRe, chirpIm, kernRe, kernIm };
  bluesteinPlans.set(n, plan);
  return plan;
}

function bluesteinInPlace(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  const { m, chirpRe, chirpIm, kernRe, kernIm } = bluesteinPlan(n);
  // Inverse DFT = conj(DFT(conj(x))); the 1/N is applied by the caller.
  const s = inverse ? -1 : 1;
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    const xr = re[k];
    const xi = s * im[k];
    ar[k] = xr * chirpRe[k] - xi * chirpIm[k];
    ai[k] = xr * chirpIm[k] + xi * chirpRe[k];
  }
  radix2InPlace(ar, ai, false);
  for (let k = 0; k < m; k++) {
    const xr = ar[k];
    const xi = ai[k];
    ar[k] = xr * kernRe[k] - xi * kernIm[k];
    ai[k] = xr * kernIm[k] + xi * kernRe[k];
  }
  radix2InPlace(ar, ai, true);
  for (let k = 0; k < n; k++) {
    const yr = ar[k] / m;
    const yi = ai[k] / m;
    re[k] = yr * chirpRe[k] - yi * chirpIm[k];
    im[k] = s * (yr * chirpIm[k] + yi * chirpRe[k]);
  }
}

/**
 * In-place complex DFT of any length (re, im same length). Forward has no
 * scaling; `inverse` applies the 1/N factor, so ifft(fft(x)) = x.
 */
export function fftInPlace(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n) throw new InputError('fft', `re and im lengths differ (${n} vs ${im.length})`);
  if (n <= 1) return;
  if (isPow2(n)) radix2InPlace(re, im, inverse);
  else bluesteinInPlace(re, im, inverse);
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i] / n;
      im[i] = im[i] / n;
    }
  }
}

/** Complex DFT of (re, im) returned as new float64 arrays (numpy.fft.fft convention). */
export function fft(re: ArrayLike<number>, im?: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const r = Float64Array.from(re);
  const i = im ? Float64Array.from(im) : new Float64Array(r.length);
  fftInPlace(r, i, false);
  return { re: r, im: i };
}

/** Inverse complex DFT, with 1/N (numpy.fft.ifft convention). */
export function ifft(re: ArrayLike<number>, im: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const r = Float64Array.from(re);
  const i = Float64Array.from(im);
  fftInPlace(r, i, true);
  return { re: r, im: i };
}

/**
 * Reusable real-input DFT of fixed length n: returns bins 0..n/2 (n/2+1 of them),
 * like numpy.fft.rfft. Even power-of-two n packs the real signal into an
 * n/2-point complex transform (half the work); other n fall back to a full
 * complex transform.
 */
export class RealFft {
  readonly n: number;
  readonly nBins: number;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly wr: Float64Array; // cos(2πk/n), k ≤ n/2
  private readonly wi: Float64Array; // sin(2πk/n)
  private readonly packed: boolean;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new InputError('nFft', `must be a positive integer, got ${n}`);
    this.n = n;
    this.nBins = Math.floor(n / 2) + 1;
    this.packed = n >= 4 && isPow2(n);
    const len = this.packed ? n / 2 : n;
    this.zr = new Float64Array(len);
    this.zi = new Float64Array(len);
    this.wr = new Float64Array(this.nBins);
    this.wi = new Float64Array(this.nBins);
    for (let k = 0; k < this.nBins; k++) {
      this.wr[k] = Math.cos((2 * Math.PI * k) / n);
      this.wi[k] = Math.sin((2 * Math.PI * k) / n);
    }
  }

  /**
   * Transform `x` (length n) into outRe/outIm (length ≥ n/2+1). Unscaled,
   * numpy.fft.rfft convention.
   */
  forward(x: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const n = this.n;
    const { zr, zi } = this;
    if (!this.packed) {
      for (let i = 0; i < n; i++) {
        zr[i] = x[i];
        zi[i] = 0;
      }
      fftInPlace(zr, zi, false);
      for (let k = 0; k < this.nBins; k++) {
        outRe[k] = zr[k];
        outIm[k] = zi[k];
      }
      return;
    }
    const h = n >> 1;
    for (let i = 0; i < h; i++) {
      zr[i] = x[2 * i];
      zi[i] = x[2 * i + 1];
    }
    radix2InPlace(zr, zi, false);
    // Split Z = E + iO into the spectra of even/odd samples, then combine:
    // X[k] = E[k] + exp(−2πik/n)·O[k].
    const { wr, wi } = this;
    for (let k = 0; k <= h; k++) {
      const a = k % h;
      const b = (h - k) % h;
      const zar = zr[a];
      const zai = zi[a];
      const zbr = zr[b];
      const zbi = -zi[b]; // conj(Z[h−k])
      const er = 0.5 * (zar + zbr);
      const ei = 0.5 * (zai + zbi);
      // O = (Z[k] − conj(Z[h−k])) / (2i)
      const or = 0.5 * (zai - zbi);
      const oi = -0.5 * (zar - zbr);
      const c = wr[k];
      const s = -wi[k];
      outRe[k] = er + (or * c - oi * s);
      outIm[k] = ei + (or * s + oi * c);
    }
  }
}

/** Real-input DFT of x (zero-padded or truncated to n, default x.length): bins 0..n/2 as float64. */
export function rfft(x: ArrayLike<number>, n = x.length): { re: Float64Array; im: Float64Array } {
  const plan = new RealFft(n);
  const buf = new Float64Array(n);
  for (let i = 0; i < Math.min(n, x.length); i++) buf[i] = x[i];
  const re = new Float64Array(plan.nBins);
  const im = new Float64Array(plan.nBins);
  plan.forward(buf, re, im);
  return { re, im };
}

/**
 * Inverse of rfft: real signal of length n (default 2·(bins − 1)) from
 * half-spectrum bins (numpy.fft.irfft convention, 1/n applied). The imaginary
 * parts of the DC and (for even n) Nyquist bins are ignored, as numpy does.
 */
export function irfft(re: ArrayLike<number>, im: ArrayLike<number>, n = 2 * (re.length - 1)): Float64Array {
  if (re.length !== im.length) throw new InputError('irfft', `re and im lengths differ (${re.length} vs ${im.length})`);
  if (!Number.isInteger(n) || n < 1) throw new InputError('irfft', `output length must be a positive integer, got ${n}`);
  const fr = new Float64Array(n);
  const fi = new Float64Array(n);
  const half = Math.floor(n / 2);
  for (let k = 0; k <= half && k < re.length; k++) {
    fr[k] = re[k];
    fi[k] = k === 0 || 2 * k === n ? 0 : im[k];
    if (k > 0 && n - k !== k) {
      // Hermitian symmetry makes the inverse real.
      fr[n - k] = re[k];
      fi[n - k] = -im[k];
    }
  }
  fftInPlace(fr, fi, true);
  return fr;
}
