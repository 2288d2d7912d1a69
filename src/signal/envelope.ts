/**
 * Slow descriptors of audio used as stimulus regressors (EEG TRFs, fMRI
 * features): the amplitude envelope and spectral flux, resampled to the rate
 * of the response they will be compared with.
 *
 * Both resample by a triangular kernel centred on each output time t_k = k/outRate
 * whose half-width is the larger of the output period and the input frame
 * period: when downsampling this averages (an anti-alias low-pass with its
 * first zero at outRate), when upsampling it interpolates linearly.
 */
import { fftInPlace, nextPow2 } from './fft.js';
import { hann } from './windows.js';

export interface MagnitudeFrames {
  /** nFrames × nBins row-major magnitudes |X| (units of x, Hann-windowed sum). */
  data: Float32Array;
  nFrames: number;
  nBins: number;
  nFft: number;
  /** Frame f is centred on sample f·hop. */
  hop: number;
}

/**
 * Short-time magnitude spectra with a periodic Hann window, frames centred on
 * multiples of `hop` (zero padding beyond the ends). Returns |X| for bins
 * 0..nFft/2 in the units of x.
 */
export function magnitudeFrames(x: Float32Array, nFft: number, hop: number): MagnitudeFrames {
  if (nFft !== nextPow2(nFft)) throw new RangeError(`nFft must be a power of two: ${nFft}`);
  const nFrames = Math.floor(x.length / hop) + 1;
  const nBins = nFft / 2 + 1;
  const win = hann(nFft);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  const data = new Float32Array(nFrames * nBins);
  const halfN = nFft / 2;
  const load = (f: number, dst: Float64Array): void => {
    const start = f * hop - halfN;
    for (let i = 0; i < nFft; i++) {
      const s = start + i;
      dst[i] = f < nFrames && s >= 0 && s < x.length ? x[s] * win[i] : 0;
    }
  };
  // Two real frames per complex FFT (frame f in the real part, f+1 in the imaginary part), separated by
  // X_f[k] = (Z[k] + conj Z[N−k])/2 and X_{f+1}[k] = (Z[k] − conj Z[N−k])/(2i): half the FFTs.
  for (let f = 0; f < nFrames; f += 2) {
    load(f, re);
    load(f + 1, im);
    fftInPlace(re, im);
    const rowA = f * nBins;
    const rowB = (f + 1) * nBins;
    const hasB = f + 1 < nFrames;
    for (let k = 0; k < nBins; k++) {
      const j = (nFft - k) & (nFft - 1);
      const ar = 0.5 * (re[k] + re[j]);
      const ai = 0.5 * (im[k] - im[j]);
      data[rowA + k] = Math.sqrt(ar * ar + ai * ai);
      if (hasB) {
        const br = 0.5 * (im[k] + im[j]);
        const bi = -0.5 * (re[k] - re[j]);
        data[rowB + k] = Math.sqrt(br * br + bi * bi);
      }
    }
  }
  return { data, nFrames, nBins, nFft, hop };
}

/**
 * Resample a sequence whose sample i sits at time i/inRate to times k/outRate
 * (k < nOut) with a triangular kernel of half-width max(1/outRate, 1/inRate).
 * `power` = 2 averages squares and takes the root (an RMS), 1 a plain mean.
 */
function triangularResample(v: Float32Array | Float64Array, inRate: number, outRate: number, nOut: number, power: 1 | 2): Float32Array {
  const halfWidth = Math.max(1 / outRate, 1 / inRate);
  const out = new Float32Array(nOut);
  for (let k = 0; k < nOut; k++) {
    const t = k / outRate;
    const lo = Math.max(0, Math.ceil((t - halfWidth) * inRate));
    const hi = Math.min(v.length - 1, Math.floor((t + halfWidth) * inRate));
    let sw = 0;
    let s = 0;
    for (let i = lo; i <= hi; i++) {
      const w = 1 - Math.abs(i / inRate - t) / halfWidth;
      if (w <= 0) continue;
      sw += w;
      s += power === 2 ? w * v[i] * v[i] : w * v[i];
    }
    const m = sw > 0 ? s / sw : 0;
    out[k] = power === 2 ? Math.sqrt(m) : m;
  }
  return out;
}

function checkRates(x: Float32Array, sr: number, outRate: number): number {
  if (!(sr > 0) || !(outRate > 0)) throw new RangeError(`rates must be positive: sr=${sr} outRate=${outRate}`);
  return Math.floor((x.length * outRate) / sr + 1e-9);
}

/**
 * Amplitude envelope: the local RMS of x under a triangular window of
 * half-width 1/outRate centred on each output time k/outRate. Returns
 * floor(len·outRate/sr) samples in the units of x (an RMS amplitude).
 */
export function amplitudeEnvelope(x: Float32Array, sr: number, outRate: number): Float32Array {
  return triangularResample(x, sr, outRate, checkRates(x, sr, outRate), 2);
}

/**
 * Spectral flux: Hann STFT (≈46 ms frames, hop a quarter frame), magnitudes
 * log-compressed as ln(1 + 100·|X|/nFft·2), then the positive part of the
 * frame-to-frame change summed over bins and divided by the bin count. The
 * flux of frame f is placed at the frame centre f·hop/sr, then resampled to
 * outRate. Returns floor(len·outRate/sr) samples in compressed-log-magnitude
 * units per frame (dimensionless, ≥ 0).
 */
export function spectralFlux(x: Float32Array, sr: number, outRate: number): Float32Array {
  const nOut = checkRates(x, sr, outRate);
  const nFft = nextPow2(Math.round(0.046 * sr));
  const hop = nFft / 4;
  const mf = magnitudeFrames(x, nFft, hop);
  const { nFrames, nBins, data } = mf;
  const scale = 200 / nFft; // |X| of a unit sine under a Hann window is nFft/4; 100·2/nFft·|X| ≈ 50 for it
  const flux = new Float64Array(nFrames);
  const prev = new Float64Array(nBins);
  for (let f = 0; f < nFrames; f++) {
    let s = 0;
    for (let k = 0; k < nBins; k++) {
      const l = Math.log1p(scale * data[f * nBins + k]);
      if (f > 0 && l > prev[k]) s += l - prev[k];
      prev[k] = l;
    }
    flux[f] = s / nBins;
  }
  return triangularResample(flux, sr / hop, outRate, nOut, 1);
}
