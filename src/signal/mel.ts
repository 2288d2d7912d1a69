/**
 * Mel spectrograms with librosa's defaults and conventions: Slaney mel scale
 * (linear below 1 kHz, logarithmic above; htk=false), triangular filters whose
 * edges are mel-uniform, Slaney area normalisation (2 / bandwidth in Hz), a
 * centred periodic-Hann STFT with zero padding, and librosa.power_to_db.
 */

import { InputError } from '../core/errors.js';
import { fftFrequencies, forEachStftFrame, stftFrameCount, type PadMode } from './stft.js';
import { hann } from './windows.js';

// Slaney's Auditory Toolbox constants: 200/3 Hz per mel below 1 kHz, then
// 27 mels per factor 6.4 in frequency.
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOGSTEP = Math.log(6.4) / 27;

/** Frequency in Hz → mel (Slaney scale by default, HTK 2595·log10(1 + f/700) when htk). */
export function hzToMel(f: number, htk = false): number {
  if (htk) return 2595 * Math.log10(1 + f / 700);
  if (f >= MIN_LOG_HZ) return MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP;
  return f / F_SP;
}

/** Mel → frequency in Hz (inverse of hzToMel). */
export function melToHz(m: number, htk = false): number {
  if (htk) return 700 * (10 ** (m / 2595) - 1);
  if (m >= MIN_LOG_MEL) return MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL));
  return F_SP * m;
}

/** n frequencies in Hz equally spaced on the mel scale from fmin to fmax inclusive (librosa.mel_frequencies). */
export function melFrequencies(n: number, fmin: number, fmax: number, htk = false): Float64Array {
  const lo = hzToMel(fmin, htk);
  const hi = hzToMel(fmax, htk);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = melToHz(n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1), htk);
  return out;
}

export interface MelFilterOptions {
  sr?: number;
  nFft?: number;
  nMels?: number;
  fmin?: number;
  /** Upper edge in Hz (default sr/2). */
  fmax?: number;
  htk?: boolean;
  /** 'slaney' divides each triangle by half its Hz width (constant energy per band); null leaves peaks at 1. */
  norm?: 'slaney' | null;
}

/**
 * Mel filterbank as a row-major nMels×(nFft/2+1) float32 matrix of weights
 * (librosa.filters.mel). Also returns, per band, the range [lo, hi) of STFT bins
 * with nonzero weight so products can skip the zeros.
 */
export function melFilterbank(opts: MelFilterOptions = {}): {
  weights: Float32Array;
  nMels: number;
  nBins: number;
  lo: Int32Array;
  hi: Int32Array;
} {
  const sr = opts.sr ?? 22050;
  const nFft = opts.nFft ?? 2048;
  const nMels = opts.nMels ?? 128;
  const fmin = opts.fmin ?? 0;
  const fmax = opts.fmax ?? sr / 2;
  const htk = opts.htk ?? false;
  const norm = opts.norm === undefined ? 'slaney' : opts.norm;
  if (!(sr > 0)) throw new InputError('sr', `must be > 0, got ${sr}`);
  if (!Number.isInteger(nMels) || nMels < 1) throw new InputError('nMels', `must be a positive integer, got ${nMels}`);
  if (!(fmin >= 0 && fmax > fmin)) throw new InputError('fmax', `need 0 ≤ fmin < fmax, got fmin=${fmin}, fmax=${fmax}`);
  const fft = fftFrequencies(sr, nFft);
  const nBins = fft.length;
  const edges = melFrequencies(nMels + 2, fmin, fmax, htk);
  const weights = new Float32Array(nMels * nBins);
  const lo = new Int32Array(nMels).fill(nBins);
  const hi = new Int32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const left = edges[m];
    const centre = edges[m + 1];
    const right = edges[m + 2];
    const scale = norm === 'slaney' ? 2 / (right - left) : 1;
    for (let k = 0; k < nBins; k++) {
      const f = fft[k];
      const up = (f - left) / (centre - left);
      const down = (right - f) / (right - centre);
      const w = Math.max(0, Math.min(up, down));
      if (w > 0) {
        weights[m * nBins + k] = w * scale;
        if (k < lo[m]) lo[m] = k;
        hi[m] = k + 1;
      }
    }
    if (hi[m] === 0) lo[m] = 0; // empty band (too many mels for nFft): stays all-zero, as librosa warns
  }
  return { weights, nMels, nBins, lo, hi };
}

export interface MelSpectrogramOptions extends MelFilterOptions {
  /** Hop between frames in samples (default 512). */
  hop?: number;
  /** Exponent on the STFT magnitude before the filterbank (2 = power, 1 = magnitude). */
  power?: number;
  center?: boolean;
  padMode?: PadMode;
}

/**
 * Mel spectrogram of a mono signal x sampled at `sr` Hz (librosa.feature.melspectrogram
 * defaults: sr 22050, nFft 2048, hop 512, nMels 128, power 2, centred with zero padding).
 * Returns data as float32 nMels×nFrames row-major, in units of x^power (not dB).
 */
export function melSpectrogram(x: ArrayLike<number>, opts: MelSpectrogramOptions = {}): { data: Float32Array; nMels: number; nFrames: number } {
  const nFft = opts.nFft ?? 2048;
  const hop = opts.hop ?? 512;
  const power = opts.power ?? 2;
  const center = opts.center ?? true;
  const padMode = opts.padMode ?? 'constant';
  if (!(power > 0)) throw new InputError('power', `must be > 0, got ${power}`);
  const fb = melFilterbank({ ...opts, nFft });
  const n = x.length;
  const nFrames = stftFrameCount(n, { nFft, hop, center });
  if (nFrames === 0) throw new InputError('melSpectrogram', `signal of ${n} samples is shorter than nFft ${nFft}`);
  const { nMels, nBins, weights, lo, hi } = fb;
  const spec = new Float64Array(nBins);
  const data = new Float32Array(nMels * nFrames);
  // Frame by frame, so the full (nBins × nFrames) STFT is never materialised.
  forEachStftFrame(x, { nFft, hop, center, padMode, window: hann(nFft, true) }, (t, re, im) => {
    for (let k = 0; k < nBins; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      spec[k] = power === 2 ? p : power === 1 ? Math.sqrt(p) : p ** (power / 2);
    }
    for (let m = 0; m < nMels; m++) {
      let acc = 0;
      const row = m * nBins;
      for (let k = lo[m]; k < hi[m]; k++) acc += weights[row + k] * spec[k];
      data[m * nFrames + t] = acc;
    }
  });
  return { data, nMels, nFrames };
}

export interface PowerToDbOptions {
  /** Reference power mapped to 0 dB: a number (default 1) or 'max' for the largest value of S. */
  ref?: number | 'max';
  /** Floor on S and ref before the log (default 1e-10). */
  amin?: number;
  /** Clip everything more than topDb below the peak (default 80); null disables. */
  topDb?: number | null;
}

/**
 * Power → decibels with librosa.power_to_db semantics:
 * 10·log10(max(amin, S)) − 10·log10(max(amin, ref)), then values below
 * (max − topDb) are raised to it. Returns a new float32 array in dB.
 */
export function powerToDb(S: ArrayLike<number>, opts: PowerToDbOptions = {}): Float32Array {
  const amin = opts.amin ?? 1e-10;
  const topDb = opts.topDb === undefined ? 80 : opts.topDb;
  if (!(amin > 0)) throw new InputError('amin', `must be > 0, got ${amin}`);
  if (topDb !== null && !(topDb >= 0)) throw new InputError('topDb', `must be ≥ 0, got ${topDb}`);
  let refValue: number;
  if (opts.ref === 'max') {
    refValue = -Infinity;
    for (let i = 0; i < S.length; i++) if (S[i] > refValue) refValue = S[i];
    if (S.length === 0) refValue = 1;
  } else {
    refValue = Math.abs(opts.ref ?? 1);
  }
  const offset = 10 * Math.log10(Math.max(amin, refValue));
  const out = new Float32Array(S.length);
  let peak = -Infinity;
  for (let i = 0; i < S.length; i++) {
    const v = 10 * Math.log10(Math.max(amin, S[i])) - offset;
    out[i] = v;
    if (v > peak) peak = v;
  }
  if (topDb !== null) {
    // Clip in float64 as librosa does on its float arrays, then store.
    const floor = peak - topDb;
    for (let i = 0; i < out.length; i++) if (out[i] < floor) out[i] = floor;
  }
  return out;
}
