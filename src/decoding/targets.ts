/**
 * Targets for EEG decoding: the frozen representation of each stimulus over
 * time at the segment rate. They come from the features stage's artifact
 * (`<model>/<area>/iter-<k>.npy`, rows indexed by `stimuli.tsv`), or are
 * computed from the audio (amplitude envelope, log-mel bands). All are
 * exposed through the same `TargetSource` function.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readNpy } from '../io/npy.js';
import { readTsv, tsvNumber } from '../io/tsv.js';
import { readAudio } from '../io/audio.js';
import { amplitudeEnvelope, spectralFlux } from '../signal/envelope.js';
import { melSpectrogram, powerToDb } from '../signal/mel.js';
import { resample } from '../signal/resample.js';
import type { TargetMatrix, TargetSource, WindowRef } from './types.js';

/**
 * Targets from a features artifact: `npyFile` ((Σ timepoints) × features
 * float32) and `indexTsv` (stim_id, row_start, n_rows). Returns a source that
 * slices the stimulus's rows; unknown ids are InputErrors.
 */
export function featureFileTargets(npyFile: string, indexTsv: string): TargetSource {
  const arr = readNpy(npyFile);
  if (arr.shape.length !== 2) throw new InputError(npyFile, `expected a 2-D (time × features) array, got shape [${arr.shape.join(', ')}]`);
  const [rows, f] = arr.shape;
  const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data as ArrayLike<number>);
  const tab = readTsv(indexTsv);
  for (const c of ['stim_id', 'row_start', 'n_rows']) if (!tab.columns.includes(c)) throw new InputError(indexTsv, `needs a "${c}" column`);
  const index = new Map<string, [number, number]>();
  for (const r of tab.rows) {
    const a = tsvNumber(r.row_start, indexTsv, 'row_start') ?? NaN;
    const n = tsvNumber(r.n_rows, indexTsv, 'n_rows') ?? NaN;
    if (!(Number.isInteger(a) && Number.isInteger(n) && a >= 0 && n >= 0 && a + n <= rows))
      throw new InputError(indexTsv, `rows ${a}+${n} of ${r.stim_id} fall outside the ${rows}-row array`);
    index.set(r.stim_id, [a, n]);
  }
  return (stimId) => {
    const e = index.get(stimId);
    if (!e) throw new InputError(indexTsv, `no feature rows for stimulus "${stimId}"`);
    return { data: data.subarray(e[0] * f, (e[0] + e[1]) * f), n: e[1], f };
  };
}

/** Find a stimulus's WAV from a BIDS stimuli/stimuli.tsv (path relative to the dataset root, or to the stimuli folder). */
export function stimulusWavPaths(stimuliDir: string): Map<string, string> {
  const tsv = path.join(stimuliDir, 'stimuli.tsv');
  const tab = readTsv(tsv);
  if (!tab.columns.includes('stim_id') || !tab.columns.includes('path')) throw new InputError(tsv, 'needs stim_id and path columns');
  const out = new Map<string, string>();
  for (const r of tab.rows) {
    const cands = [path.join(stimuliDir, '..', r.path), path.join(stimuliDir, r.path)];
    const hit = cands.find((p) => fs.existsSync(p));
    if (!hit) throw new InputError(tsv, `WAV of ${r.stim_id} not found (${r.path})`);
    out.set(r.stim_id, hit);
  }
  return out;
}

/**
 * Each stimulus's first channel resampled to `rate` Hz (polyphase Kaiser
 * resampler, which low-passes at the new Nyquist), cached: the input of
 * PredANN's audio CNN.
 */
export function stimulusWaveforms(wavs: Map<string, string>, rate: number): (stimId: string) => Float32Array {
  const cache = new Map<string, Float32Array>();
  return (stimId) => {
    const hit = cache.get(stimId);
    if (hit) return hit;
    const file = wavs.get(stimId);
    if (!file) throw new InputError('stimuli', `no audio file for stimulus "${stimId}"`);
    const wav = readAudio(file);
    const x = resample(wav.channels[0], wav.sampleRate, rate);
    cache.set(stimId, x);
    return x;
  };
}

export type AudioTargetKind = 'envelope' | 'flux' | 'logmel';

/**
 * Targets computed from audio at `rate` Hz: 'envelope' (1 feature, local RMS,
 * signal/envelope.ts), 'flux' (1 feature, spectral flux: onsets) or 'logmel' (nMels log-mel bands in dB, each band
 * averaged from the STFT frame rate into 1/rate-wide bins). Results are cached per stimulus.
 */
export function audioTargets(wavs: Map<string, string>, kind: AudioTargetKind, rate: number, nMels = 16): TargetSource {
  const cache = new Map<string, TargetMatrix>();
  return (stimId) => {
    const hit = cache.get(stimId);
    if (hit) return hit;
    const file = wavs.get(stimId);
    if (!file) throw new InputError('stimuli', `no WAV for stimulus "${stimId}"`);
    const wav = readAudio(file);
    const x = wav.channels[0];
    let m: TargetMatrix;
    if (kind === 'flux') {
      const f = spectralFlux(x, wav.sampleRate, rate);
      m = { data: f, n: f.length, f: 1 };
    } else if (kind === 'envelope') {
      const e = amplitudeEnvelope(x, wav.sampleRate, rate);
      m = { data: e, n: e.length, f: 1 };
    } else {
      const hop = 256;
      const mel = melSpectrogram(x, { sr: wav.sampleRate, nFft: 1024, hop, nMels, fmax: wav.sampleRate / 2 });
      const db = powerToDb(mel.data);
      // Frames (centred, at f·hop/sr s) are averaged over each output sample's 1/rate-wide bin
      // (a boxcar anti-alias); frame and EEG rates are rarely in a small rational ratio, so a
      // polyphase resampler would need an enormous filter.
      const n = Math.floor((x.length / wav.sampleRate) * rate);
      const data = new Float32Array(n * nMels);
      const fr = wav.sampleRate / hop;
      for (let t = 0; t < n; t++) {
        const f0 = Math.max(0, Math.ceil((t - 0.5) * (fr / rate)));
        const f1 = Math.min(mel.nFrames - 1, Math.max(f0, Math.ceil((t + 0.5) * (fr / rate)) - 1));
        for (let b = 0; b < nMels; b++) {
          let s = 0;
          for (let f = f0; f <= f1; f++) s += db[b * mel.nFrames + f];
          data[t * nMels + b] = s / (f1 - f0 + 1);
        }
      }
      m = { data, n, f: nMels };
    }
    cache.set(stimId, m);
    return m;
  };
}

/** Per-feature mean and sd over all rows of the given stimuli (for z-scoring with training statistics). */
export function featureStats(source: TargetSource, stimIds: Iterable<string>): { mean: Float64Array; sd: Float64Array } {
  let mean: Float64Array | null = null;
  let sq: Float64Array | null = null;
  let count = 0;
  for (const id of new Set(stimIds)) {
    const m = source(id);
    mean ??= new Float64Array(m.f);
    sq ??= new Float64Array(m.f);
    for (let t = 0; t < m.n; t++)
      for (let j = 0; j < m.f; j++) {
        const v = m.data[t * m.f + j];
        mean[j] += v;
        sq[j] += v * v;
      }
    count += m.n;
  }
  if (!mean || !sq || count < 2) throw new InputError('targets', 'no target rows to standardise');
  const sd = new Float64Array(mean.length);
  for (let j = 0; j < mean.length; j++) {
    mean[j] /= count;
    sd[j] = Math.sqrt(Math.max(0, sq[j] / count - mean[j] * mean[j])) || 1;
  }
  return { mean, sd };
}

/** A source whose features are z-scored with fixed statistics (unitless). */
export function standardizedSource(source: TargetSource, stats: { mean: Float64Array; sd: Float64Array }): TargetSource {
  const cache = new Map<string, TargetMatrix>();
  return (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const m = source(id);
    const data = new Float32Array(m.data.length);
    for (let t = 0; t < m.n; t++) for (let j = 0; j < m.f; j++) data[t * m.f + j] = (m.data[t * m.f + j] - stats.mean[j]) / stats.sd[j];
    const out = { data, n: m.n, f: m.f };
    cache.set(id, out);
    return out;
  };
}

/**
 * The ANN target vector of each window: the window's target rows averaged in
 * `bins` equal time bins, concatenated (bins × features values). Windows
 * whose rows run past the target's end use the rows that exist (zeros if none).
 * Returns nWin × (bins·f) float32.
 */
export function windowTargetVectors(
  source: TargetSource,
  stimIds: string[],
  windows: WindowRef[],
  idx: readonly number[],
  win: number,
  bins: number,
): { data: Float32Array; dim: number } {
  const f = source(stimIds[windows[idx[0]]?.seg ?? 0]).f;
  const dim = f * bins;
  const out = new Float32Array(idx.length * dim);
  idx.forEach((wi, i) => {
    const w = windows[wi];
    const m = source(stimIds[w.seg]);
    for (let b = 0; b < bins; b++) {
      const a = w.start + Math.floor((b * win) / bins);
      const e = Math.min(m.n, w.start + Math.floor(((b + 1) * win) / bins));
      if (e <= a) continue;
      for (let t = a; t < e; t++) for (let j = 0; j < f; j++) out[i * dim + b * f + j] += m.data[t * f + j];
      for (let j = 0; j < f; j++) out[i * dim + b * f + j] /= e - a;
    }
  });
  return { data: out, dim };
}

/** Log-spaced modulation bands between 0.5 Hz and min(8 Hz, 0.45·rate), edges in Hz. */
export function modulationBands(rate: number, nBands: number): number[] {
  const hi = Math.min(8, 0.45 * rate);
  return Array.from({ length: nBands + 1 }, (_, i) => 0.5 * (hi / 0.5) ** (i / nBands));
}

/**
 * A fixed PredANN target that survives the encoder's global pooling: per
 * window, the modulation spectrum of the envelope (log mean power of the
 * Hann-windowed, mean-removed envelope in `nBands` log-spaced bands of
 * 0.5–8 Hz, the range of beat and syllable rates) and the onset statistics
 * (mean and sd of the spectral flux). Unlike binned features these do not
 * depend on where in the window an event falls, so a representation without
 * temporal resolution can predict them. Returns nWin × (nBands + 2).
 */
export function windowModulationVectors(
  envelope: TargetSource,
  flux: TargetSource,
  stimIds: string[],
  windows: WindowRef[],
  idx: readonly number[],
  win: number,
  rate: number,
  nBands = 6,
): { data: Float32Array; dim: number } {
  const edges = modulationBands(rate, nBands);
  const dim = nBands + 2;
  const out = new Float32Array(idx.length * dim);
  const hann = Float64Array.from({ length: win }, (_, t) => 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / win));
  idx.forEach((wi, i) => {
    const w = windows[wi];
    const e = envelope(stimIds[w.seg]);
    const fl = flux(stimIds[w.seg]);
    const seg = Float64Array.from({ length: win }, (_, t) => (w.start + t < e.n ? e.data[(w.start + t) * e.f] : 0));
    const mean = seg.reduce((a, b) => a + b, 0) / win;
    for (let t = 0; t < win; t++) seg[t] = (seg[t] - mean) * hann[t];
    for (let b = 0; b < nBands; b++) {
      let p = 0,
        n = 0;
      // DFT bins k with k·rate/win inside the band (at least the nearest one).
      const k0 = Math.max(1, Math.ceil((edges[b] * win) / rate));
      const k1 = Math.max(k0, Math.floor((edges[b + 1] * win) / rate));
      for (let k = k0; k <= k1; k++) {
        let re = 0,
          im = 0;
        for (let t = 0; t < win; t++) {
          const ph = (2 * Math.PI * k * t) / win;
          re += seg[t] * Math.cos(ph);
          im -= seg[t] * Math.sin(ph);
        }
        p += (re * re + im * im) / win;
        n++;
      }
      out[i * dim + b] = Math.log(p / n + 1e-8);
    }
    let s = 0,
      s2 = 0,
      m = 0;
    for (let t = w.start; t < Math.min(fl.n, w.start + win); t++) {
      const v = fl.data[t * fl.f];
      s += v;
      s2 += v * v;
      m++;
    }
    const fm = m ? s / m : 0;
    out[i * dim + nBands] = fm;
    out[i * dim + nBands + 1] = m ? Math.sqrt(Math.max(0, s2 / m - fm * fm)) : 0;
  });
  return { data: out, dim };
}
