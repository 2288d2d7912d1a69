/**
 * The three feature spaces the synthetic brain responds to, computed from the
 * audio (low- and mid-level) or from what the synthesiser planted (abstract):
 *
 * - low-level  (A1): spectrotemporal modulation energy — log power of each
 *   band envelope's temporal modulations in four rate bands, plus the spectral
 *   shape (log band energies);
 * - mid-level  (Belt, Parabelt): spectral flux, onset density, centroid,
 *   bandwidth, flatness, loudness, pitch salience and pitch height;
 * - abstract   (T2/T3): genre identity (one-hot), tempo, beat strength, mode
 *   and the quality of the chord sounding (one-hot), i.e. things a listener
 *   knows about the music rather than about its spectrum.
 *
 * All are sampled at FEATURE_RATE (10 Hz) at times k/FEATURE_RATE within a
 * clip, so they can be laid on a run's time line and convolved with the HRF.
 */
import { magnitudeFrames } from '../signal/envelope.js';
import { fftInPlace } from '../signal/fft.js';
import { CHORD_QUALITIES, type ClipTruth } from './music.js';

/** Feature frames per second. */
export const FEATURE_RATE = 10;

export const MOD_RATES: ReadonlyArray<[number, number]> = [
  [1, 3],
  [3, 6],
  [6, 12],
  [12, 24],
];
export const N_BANDS = 8;
const BAND_LO = 80;
const BAND_HI = 8000;

export const MID_FEATURES = ['flux', 'onset_density', 'centroid', 'bandwidth', 'flatness', 'loudness', 'pitch_salience', 'pitch_height'] as const;

/** Column names of each feature space. */
export function featureNames(genres: readonly string[]): { low: string[]; mid: string[]; abstract: string[] } {
  const low: string[] = [];
  for (let b = 0; b < N_BANDS; b++) for (const [lo, hi] of MOD_RATES) low.push(`band${b}_mod${lo}-${hi}Hz`);
  for (let b = 0; b < N_BANDS; b++) low.push(`band${b}_energy`);
  const abstract = [...genres.map((g) => `genre_${g}`), 'tempo', 'beat_strength', 'mode_major', ...CHORD_QUALITIES.map((q) => `chord_${q}`)];
  return { low, mid: [...MID_FEATURES], abstract };
}

export interface ClipFeatures {
  nFrames: number;
  /** nFrames × F row-major, raw (not yet standardised). */
  low: Float32Array;
  mid: Float32Array;
  abstract: Float32Array;
}

function bandEdgesHz(): number[] {
  const e: number[] = [];
  for (let b = 0; b <= N_BANDS; b++) e.push(BAND_LO * (BAND_HI / BAND_LO) ** (b / N_BANDS));
  return e;
}

/**
 * Raw features of one clip at FEATURE_RATE: nFrames = floor(duration·10).
 * Low-level entries are natural-log powers, mid-level in the units named in
 * MID_FEATURES (log Hz for centroid/bandwidth/pitch height, log RMS for
 * loudness, 0–1 for flatness and salience), abstract are indicators/scalars.
 */
export function clipFeatures(audio: Float32Array, sr: number, truth: ClipTruth, genres: readonly string[]): ClipFeatures {
  const nFrames = Math.floor((audio.length / sr) * FEATURE_RATE + 1e-9);
  const nFft = sr > 32000 ? 2048 : 1024;
  const hop = nFft / 4;
  const mf = magnitudeFrames(audio, nFft, hop);
  const { nBins, data } = mf;
  const frameRate = sr / hop;
  const binHz = sr / nFft;
  const edges = bandEdgesHz();
  const nSt = mf.nFrames;

  // Log band energies per STFT frame.
  const bandLog = new Float32Array(N_BANDS * nSt);
  const power = new Float32Array(nSt * nBins);
  for (let f = 0; f < nSt; f++) for (let k = 0; k < nBins; k++) power[f * nBins + k] = data[f * nBins + k] ** 2;
  for (let b = 0; b < N_BANDS; b++) {
    const k0 = Math.max(1, Math.floor(edges[b] / binHz));
    const k1 = Math.max(k0 + 1, Math.floor(edges[b + 1] / binHz));
    for (let f = 0; f < nSt; f++) {
      let s = 0;
      for (let k = k0; k < k1 && k < nBins; k++) s += power[f * nBins + k];
      bandLog[b * nSt + f] = Math.log(1e-6 + s / (k1 - k0));
    }
  }

  const nLow = N_BANDS * MOD_RATES.length + N_BANDS;
  const low = new Float32Array(nFrames * nLow);
  const mid = new Float32Array(nFrames * MID_FEATURES.length);
  // Modulation spectra over a 1-s Hann window centred on each feature frame.
  const win = 128;
  const half = Math.round(frameRate / 2);
  const re = new Float64Array(win);
  const im = new Float64Array(win);
  const hann = new Float64Array(2 * half + 1);
  for (let i = 0; i < hann.length; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (hann.length + 1));
  const modBins = MOD_RATES.map(([lo, hi]) => [Math.max(1, Math.round((lo * win) / frameRate)), Math.max(1, Math.round((hi * win) / frameRate))]);
  for (let k = 0; k < nFrames; k++) {
    const c = Math.round((k / FEATURE_RATE) * frameRate);
    for (let b = 0; b < N_BANDS; b++) {
      let mean = 0;
      let cnt = 0;
      for (let i = -half; i <= half; i++) {
        const f = Math.min(nSt - 1, Math.max(0, c + i));
        mean += bandLog[b * nSt + f];
        cnt++;
      }
      mean /= cnt;
      re.fill(0);
      im.fill(0);
      for (let i = -half; i <= half; i++) {
        const f = Math.min(nSt - 1, Math.max(0, c + i));
        re[i + half] = (bandLog[b * nSt + f] - mean) * hann[i + half];
      }
      fftInPlace(re, im);
      for (let r = 0; r < MOD_RATES.length; r++) {
        let p = 0;
        for (let q = modBins[r][0]; q < modBins[r][1]; q++) p += re[q] * re[q] + im[q] * im[q];
        low[k * nLow + b * MOD_RATES.length + r] = Math.log(1e-4 + p / Math.max(1, modBins[r][1] - modBins[r][0]));
      }
      low[k * nLow + N_BANDS * MOD_RATES.length + b] = mean;
    }
  }

  // Mid-level descriptors per STFT frame, then averaged over ±50 ms (±0.5 s for onset density).
  const flux = new Float32Array(nSt);
  const centroid = new Float32Array(nSt);
  const bandwidth = new Float32Array(nSt);
  const flatness = new Float32Array(nSt);
  const loud = new Float32Array(nSt);
  const sal = new Float32Array(nSt);
  const pitch = new Float32Array(nSt);
  const lagMin = Math.floor(sr / 500);
  const lagMax = Math.ceil(sr / 60);
  const acRe = new Float64Array(nFft);
  const acIm = new Float64Array(nFft);
  let prevLog: Float64Array | null = null;
  for (let f = 0; f < nSt; f++) {
    let sp = 0;
    let sfp = 0;
    let slog = 0;
    const logs = new Float64Array(nBins);
    let fl = 0;
    for (let k = 1; k < nBins; k++) {
      const p = power[f * nBins + k] + 1e-12;
      sp += p;
      sfp += p * k * binHz;
      slog += Math.log(p);
      logs[k] = Math.log1p((200 / nFft) * data[f * nBins + k]);
      if (prevLog && logs[k] > prevLog[k]) fl += logs[k] - prevLog[k];
    }
    prevLog = logs;
    flux[f] = fl / nBins;
    const cen = sfp / sp;
    let sbw = 0;
    for (let k = 1; k < nBins; k++) sbw += power[f * nBins + k] * (k * binHz - cen) ** 2;
    centroid[f] = Math.log(Math.max(cen, 20));
    bandwidth[f] = Math.log(Math.max(Math.sqrt(sbw / sp), 20));
    flatness[f] = Math.exp(slog / (nBins - 1)) / (sp / (nBins - 1));
    loud[f] = 0.5 * Math.log(1e-10 + (2 * sp) / (nFft * nFft * 0.375));
    // Autocorrelation of the windowed frame = inverse FFT of its power spectrum (Wiener–Khinchin). The
    // power spectrum is real and even, so its transform is real: two frames share one complex FFT
    // (frame f in the real part, f+1 in the imaginary part) and come back in re and im.
    if (f % 2 === 0) {
      for (let k = 0; k < nFft; k++) {
        const kk = k <= nFft / 2 ? k : nFft - k;
        acRe[k] = power[f * nBins + kk];
        acIm[k] = f + 1 < nSt ? power[(f + 1) * nBins + kk] : 0;
      }
      fftInPlace(acRe, acIm);
    }
    const ac = f % 2 === 0 ? acRe : acIm;
    const r0 = ac[0] || 1e-12;
    let best = 0;
    let bestLag = lagMin;
    for (let l = lagMin; l <= Math.min(lagMax, nFft / 2); l++) {
      if (ac[l] > best) {
        best = ac[l];
        bestLag = l;
      }
    }
    sal[f] = Math.max(0, best / r0);
    pitch[f] = Math.log(sr / bestLag);
  }
  const avg = (v: Float32Array, k: number, halfSec: number): number => {
    const c = Math.round((k / FEATURE_RATE) * frameRate);
    const h = Math.max(1, Math.round(halfSec * frameRate));
    let s = 0;
    let n = 0;
    for (let i = Math.max(0, c - h); i <= Math.min(nSt - 1, c + h); i++) {
      s += v[i];
      n++;
    }
    return s / n;
  };
  // Onsets: frames whose flux exceeds the local median-ish threshold (mean + 1 sd over the clip) and is a local peak.
  let fm = 0;
  let fs = 0;
  for (let f = 0; f < nSt; f++) fm += flux[f];
  fm /= nSt;
  for (let f = 0; f < nSt; f++) fs += (flux[f] - fm) ** 2;
  const thr = fm + Math.sqrt(fs / nSt);
  const onset = new Float32Array(nSt);
  for (let f = 1; f < nSt - 1; f++) if (flux[f] > thr && flux[f] >= flux[f - 1] && flux[f] > flux[f + 1]) onset[f] = frameRate;
  const nMid = MID_FEATURES.length;
  for (let k = 0; k < nFrames; k++) {
    const row = k * nMid;
    mid[row] = avg(flux, k, 0.05);
    mid[row + 1] = avg(onset, k, 0.5);
    mid[row + 2] = avg(centroid, k, 0.05);
    mid[row + 3] = avg(bandwidth, k, 0.05);
    mid[row + 4] = avg(flatness, k, 0.05);
    mid[row + 5] = avg(loud, k, 0.05);
    mid[row + 6] = avg(sal, k, 0.1);
    mid[row + 7] = avg(pitch, k, 0.1);
  }

  // Abstract: what a listener would name.
  const nAbs = genres.length + 3 + CHORD_QUALITIES.length;
  const abstract = new Float32Array(nFrames * nAbs);
  const gi = genres.indexOf(truth.genre);
  for (let k = 0; k < nFrames; k++) {
    const t = k / FEATURE_RATE;
    const row = k * nAbs;
    if (gi >= 0) abstract[row + gi] = 1;
    abstract[row + genres.length] = truth.tempoBpm / 100;
    abstract[row + genres.length + 1] = truth.drumLevel;
    abstract[row + genres.length + 2] = truth.mode === 'major' ? 1 : 0;
    let ch = truth.chords[0];
    for (const c of truth.chords) if (c.onset <= t) ch = c;
    abstract[row + genres.length + 3 + CHORD_QUALITIES.indexOf(ch.quality)] = 1;
  }
  return { nFrames, low, mid, abstract };
}

/**
 * Standardise each column over all rows of all clips (sound-on frames only),
 * in place, so every feature has mean 0 and sd 1 while a clip plays and the
 * silent gaps (value 0 on the run time line) sit at the sound-on mean.
 * Columns with zero variance become all-zero. Returns the (mean, sd) used.
 */
export function standardiseColumns(mats: Float32Array[], nCols: number): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(nCols);
  const sd = new Float64Array(nCols);
  let n = 0;
  for (const m of mats) {
    const rows = m.length / nCols;
    n += rows;
    for (let r = 0; r < rows; r++) for (let c = 0; c < nCols; c++) mean[c] += m[r * nCols + c];
  }
  for (let c = 0; c < nCols; c++) mean[c] /= n;
  for (const m of mats) {
    const rows = m.length / nCols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < nCols; c++) sd[c] += (m[r * nCols + c] - mean[c]) ** 2;
  }
  for (let c = 0; c < nCols; c++) sd[c] = Math.sqrt(sd[c] / n);
  for (const m of mats) {
    const rows = m.length / nCols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < nCols; c++) m[r * nCols + c] = sd[c] > 1e-9 ? (m[r * nCols + c] - mean[c]) / sd[c] : 0;
  }
  return { mean, sd };
}
