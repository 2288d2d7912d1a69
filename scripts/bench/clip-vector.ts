/**
 * Clip-level audio statistics for the synth benches: per clip the mean and sd
 * of the log-mel spectrum (40 mels) plus the modulation power of 8 mel-band
 * envelopes at 1–3, 3–6, 6–12 Hz. A cheap stand-in for a trained network.
 */
import { melSpectrogram, powerToDb } from '../../src/signal/mel.js';
import { fftInPlace, nextPow2 } from '../../src/signal/fft.js';

export function clipVector(x: Float32Array, sr: number): number[] {
  const nMels = 40;
  const hop = 256;
  const mel = melSpectrogram(x, { sr, nFft: 1024, hop, nMels, fmin: 30, fmax: 11000 });
  const db = powerToDb(mel.data, { ref: 1, topDb: 80 });
  const T = mel.nFrames;
  const v: number[] = [];
  for (let m = 0; m < nMels; m++) {
    let s = 0;
    let s2 = 0;
    for (let t = 0; t < T; t++) {
      const d = db[m * T + t];
      s += d;
      s2 += d * d;
    }
    const mu = s / T;
    v.push(mu, Math.sqrt(Math.max(0, s2 / T - mu * mu)));
  }
  const fr = sr / hop;
  const N = nextPow2(T);
  for (let g = 0; g < 8; g++) {
    const re = new Float64Array(N);
    const im = new Float64Array(N);
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let m = g * 5; m < g * 5 + 5; m++) s += db[m * T + t];
      re[t] = s / 5;
    }
    let mu = 0;
    for (let t = 0; t < T; t++) mu += re[t];
    mu /= T;
    for (let t = 0; t < T; t++) re[t] -= mu;
    fftInPlace(re, im);
    for (const [lo, hi] of [
      [1, 3],
      [3, 6],
      [6, 12],
    ]) {
      let p = 0;
      for (let k = Math.round((lo * N) / fr); k < Math.round((hi * N) / fr); k++) p += re[k] * re[k] + im[k] * im[k];
      v.push(Math.log(1e-6 + p));
    }
  }
  return v;
}
