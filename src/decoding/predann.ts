/**
 * The PredANN decoder on one fold: train the EEG encoder
 * (models/predann-train.ts) on the fold's training windows with song labels
 * and an InfoNCE target per window, then score the test windows by their
 * class log-probabilities. The target is, by `target`:
 *  - 'audio-cnn' (PredANN): the embedding of an audio CNN trained jointly on
 *    each window's waveform (stimulus time [start, start + win) / rate);
 *  - 'ann': the fixed representation (e.g. BAN's) averaged in `bins` time bins;
 *  - 'modulation': the fixed per-window modulation spectrum of the envelope
 *    and onset (spectral flux) statistics (targets.ts), which survive the
 *    encoder's pooling.
 * Whole training segments (presentations) are held out for early stopping.
 */
import { predictEegEncoder, trainEegEncoder, type EncoderHistoryRow } from '../models/predann-train.js';
import type { EegEncoderConfig } from '../models/eeg-encoder-config.js';
import type { AudioEncoderConfig } from '../models/audio-encoder-config.js';
import type { Rng } from '../core/prng.js';
import { entriesByKey, mustGet } from '../core/lookup.js';
import { featureStats, standardizedSource, windowModulationVectors, windowTargetVectors } from './targets.js';
import { gatherWindows } from './windows.js';
import { cropRanges, jitterWindows } from './crops.js';
import type { Fold, SegmentSet, TargetSource, WindowRef } from './types.js';

export type PredannTarget =
  | { kind: 'audio-cnn'; waveform: (stimId: string) => Float32Array; rate: number; config: AudioEncoderConfig }
  | { kind: 'fixed'; source: TargetSource; bins: number }
  | { kind: 'modulation'; envelope: TargetSource; flux: TargetSource };

export interface PredannFoldResult {
  /** nTest × nSongs log-probabilities (nats). */
  scores: Float32Array;
  history: EncoderHistoryRow[];
  bestEpoch: number;
  windowsPerSecond: number;
}

/**
 * Split a fold's training windows into fit and validation windows by whole
 * segments: per song ⌊fraction · its training segments⌋ held out (at least
 * one segment overall when the fraction is positive), so no validation
 * window shares EEG with a fit window.
 */
export function validationSplit(
  set: SegmentSet,
  windows: WindowRef[],
  train: readonly number[],
  fraction: number,
  rng: Rng,
): { fit: number[]; validation: number[] } {
  if (fraction <= 0) return { fit: [...train], validation: [] };
  const bySong = new Map<string, number[]>();
  for (const seg of [...new Set(train.map((i) => windows[i].seg))].sort((a, b) => a - b)) {
    const s = set.stimIds[seg];
    bySong.set(s, [...(bySong.get(s) ?? []), seg]);
  }
  const held = new Set<number>();
  for (const [song, segs] of entriesByKey(bySong)) {
    const perm = rng.fork(song).permutation(segs.length);
    for (let k = 0; k < Math.floor(fraction * segs.length); k++) held.add(segs[perm[k]]);
  }
  if (held.size === 0) {
    const cands = [...bySong.values()].filter((v) => v.length >= 2).flat();
    if (cands.length > 0) held.add(cands[rng.int(cands.length)]);
  }
  return { fit: train.filter((i) => !held.has(windows[i].seg)), validation: train.filter((i) => held.has(windows[i].seg)) };
}

/** Each window's waveform at the audio rate: stimulus time [start, start + win) / set.rate, zero past the end. */
export function windowAudio(
  set: SegmentSet,
  windows: WindowRef[],
  idx: readonly number[],
  win: number,
  wave: (id: string) => Float32Array,
  rate: number,
): { data: Float32Array; length: number } {
  const length = Math.round((win / set.rate) * rate);
  const data = new Float32Array(idx.length * length);
  idx.forEach((wi, i) => {
    const w = windows[wi];
    const x = wave(set.stimIds[w.seg]);
    const a = Math.round((w.start / set.rate) * rate);
    data.set(x.subarray(Math.min(a, x.length), Math.min(a + length, x.length)), i * length);
  });
  return { data, length };
}

/** Z-score each of `dim` columns of a row-major matrix in place (constant columns become 0); the targets are training-only, so no test statistics enter. */
function zscoreColumns(x: Float32Array, dim: number): void {
  const n = x.length / dim;
  for (let j = 0; j < dim; j++) {
    let s = 0,
      s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * dim + j];
      s += v;
      s2 += v * v;
    }
    const m = s / n;
    const sd = Math.sqrt(Math.max(0, s2 / n - m * m)) || 1;
    for (let i = 0; i < n; i++) x[i * dim + j] = (x[i * dim + j] - m) / sd;
  }
}

/** Train on fold.train and score fold.test; `cfg.lambda` = 0 gives the no-ANN baseline. */
export function predannFold(
  set: SegmentSet,
  windows: WindowRef[],
  fold: Fold,
  win: number,
  target: PredannTarget,
  songIndex: Map<string, number>,
  cfg: EegEncoderConfig,
  seed: number,
  rng: Rng,
): PredannFoldResult {
  const { fit, validation } = validationSplit(set, windows, fold.train, cfg.patience > 0 ? cfg.validationFraction : 0, rng.fork('validation'));
  const labelsOf = (idx: number[]): Int32Array => Int32Array.from(idx, (i) => mustGet(songIndex, set.stimIds[windows[i].seg], 'song index'));
  const labels = labelsOf(fit);
  const at = fit.map((_, k) => k);
  // Standardised by the fitting windows' statistics; computed on first use, only for a fixed target.
  let fixedStd: TargetSource | undefined;
  // Everything a training epoch sees, for a list of (possibly cropped) windows: EEG, target keys and the InfoNCE target.
  const inputs = (ws: WindowRef[]): { x: Float32Array; targetKeys: Int32Array; audio?: Float32Array; targets?: Float32Array } => {
    // Same song at the same song time = same target, whoever listened: one key per (song, start).
    const targetKeys = Int32Array.from(ws, (w, k) => labels[k] * (set.nT + 1) + w.start);
    const x = gatherWindows(set, ws, at, win);
    if (target.kind === 'audio-cnn')
      return { x, targetKeys, audio: cfg.lambda > 0 ? windowAudio(set, ws, at, win, target.waveform, target.rate).data : undefined };
    if (target.kind === 'modulation') {
      const tv = windowModulationVectors(target.envelope, target.flux, set.stimIds, ws, at, win, set.rate);
      zscoreColumns(tv.data, tv.dim);
      return { x, targetKeys, targets: tv.data };
    }
    fixedStd ??= standardizedSource(
      target.source,
      featureStats(
        target.source,
        fit.map((i) => set.stimIds[windows[i].seg]),
      ),
    );
    return { x, targetKeys, targets: windowTargetVectors(fixedStd, set.stimIds, ws, at, win, target.bins).data };
  };
  const base = fit.map((i) => windows[i]);
  const jitter = Math.round(cfg.cropJitterSec * set.rate);
  const ranges = cropRanges(windows, fit, win);
  const recrop = jitter > 0 ? (r: Rng) => inputs(jitterWindows(windows, fit, ranges, jitter, r)) : undefined;
  const first = inputs(base);
  const targetDim = first.targets === undefined ? cfg.embeddingDim : first.targets.length / Math.max(1, fit.length);
  const shape = { nCh: set.nCh, nT: win, nClasses: songIndex.size, targetDim };
  const val = { x: gatherWindows(set, windows, validation, win), labels: labelsOf(validation) };
  const audioLength = Math.round((win / set.rate) * (target.kind === 'audio-cnn' ? target.rate : 1));
  const trained = trainEegEncoder({ ...first, labels, recrop }, shape, cfg, seed, {
    validation: val,
    audio: target.kind === 'audio-cnn' && cfg.lambda > 0 ? { config: target.config, length: audioLength } : undefined,
  });
  const xt = gatherWindows(set, windows, fold.test, win);
  const scores = predictEegEncoder(trained.model, xt, fold.test.length);
  trained.model.dispose();
  trained.audioModel?.dispose();
  return { scores, history: trained.history, bestEpoch: trained.bestEpoch, windowsPerSecond: trained.windowsPerSecond };
}
