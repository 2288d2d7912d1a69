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
import { amplitudeEnvelope } from '../signal/envelope.js';
import { melSpectrogram, powerToDb } from '../signal/mel.js';
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
    if (!(Number.isInteger(a) && Number.isInteger(n) && a >= 0 && n >= 0 && a + n <= rows)) throw new InputError(indexTsv, `rows ${a}+${n} of ${r.stim_id} fall outside the ${rows}-row array`);
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

export type AudioTargetKind = 'envelope' | 'logmel';

/**
 * Targets computed from audio at `rate` Hz: 'envelope' (1 feature, local RMS,
 * signal/envelope.ts) or 'logmel' (nMels log-mel bands in dB, each band
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
    if (kind === 'envelope') {
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
    for (let t = 0; t < m.n; t++) for (let j = 0; j < m.f; j++) { const v = m.data[t * m.f + j]; mean[j] += v; sq[j] += v * v; }
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
export function windowTargetVectors(source: TargetSource, stimIds: string[], windows: WindowRef[], idx: readonly number[], win: number, bins: number): { data: Float32Array; dim: number } {
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
