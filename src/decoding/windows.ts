/**
 * Windows and cross-validation splits over EEG segments.
 *
 * - `chunk-leaky` (PredANN's split): each segment (one subject hearing one
 *   song) is cut into `chunkSec` chunks (30 s); per song, the chunks of all
 *   subjects are shuffled and dealt into round(1/testFraction) folds (25 %
 *   held out each), and windows lying inside a chunk follow it. Training
 *   keeps the same subject's other chunks of the same song, so session- and
 *   subject-specific EEG features that co-vary with the song label leak:
 *   named "leaky" in every output.
 * - `random-chunk` (an older, still leakier setting): windows are dealt at
 *   random into K folds, regardless of subject, song or time; overlapping
 *   windows land in both train and test.
 * - `time-block` (honest within-song): each segment's time line is cut into
 *   K contiguous blocks; fold k tests on windows lying entirely inside block
 *   k and trains only on windows ending at least `gap` samples before the
 *   block or starting at least `gap` after it, so no EEG sample is shared and
 *   slow autocorrelated activity does not bridge the edge.
 * - `loso` (leave one subject out): fold s tests on subject s and trains on
 *   every other subject.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { entriesByKey, mustGet } from '../core/lookup.js';
import type { Fold, SegmentSet, WindowRef } from './types.js';

export const SPLITS = ['chunk-leaky', 'random-chunk', 'time-block', 'loso'] as const;
export type SplitKind = (typeof SPLITS)[number];

/** Every window of `win` samples with hop `hop` inside each of nSeg segments of nT samples, segment-major. */
export function cutWindowRefs(nSeg: number, nT: number, win: number, hop: number): WindowRef[] {
  if (!(win >= 1 && hop >= 1)) throw new InputError('windows', `window (${win}) and hop (${hop}) must be ≥ 1 sample`);
  if (win > nT) throw new InputError('windowSec', `window of ${win} samples is longer than the segments (${nT} samples)`);
  const out: WindowRef[] = [];
  for (let s = 0; s < nSeg; s++) for (let t = 0; t + win <= nT; t += hop) out.push({ seg: s, start: t });
  return out;
}

/** K folds dealing windows at random (each window tested once). */
export function randomChunkFolds(windows: WindowRef[], k: number, rng: Rng): Fold[] {
  const perm = rng.permutation(windows.length);
  const folds: Fold[] = Array.from({ length: k }, (_, i) => ({ name: `random-chunk-${i + 1}`, train: [], test: [] }));
  perm.forEach((w, rank) => {
    const f = rank % k;
    folds.forEach((fold, i) => (i === f ? fold.test : fold.train).push(w));
  });
  for (const f of folds) {
    f.train.sort((a, b) => a - b);
    f.test.sort((a, b) => a - b);
  }
  return folds;
}

/**
 * PredANN's chunk split: chunks of `chunk` samples per segment, dealt per song
 * (stimulus id) into round(1/testFraction) folds; windows not inside one chunk are dropped.
 */
export function chunkFolds(windows: WindowRef[], set: Pick<SegmentSet, 'stimIds' | 'nT'>, win: number, chunk: number, testFraction: number, rng: Rng): Fold[] {
  const k = Math.max(2, Math.round(1 / testFraction));
  const nChunks = Math.max(1, Math.floor(set.nT / chunk));
  const len = nChunks === 1 ? set.nT : chunk;
  const bySong = new Map<string, string[]>();
  for (let s = 0; s < set.stimIds.length; s++)
    for (let c = 0; c < nChunks; c++) bySong.set(set.stimIds[s], [...(bySong.get(set.stimIds[s]) ?? []), `${s}/${c}`]);
  const foldOf = new Map<string, number>();
  for (const [song, ids] of entriesByKey(bySong)) {
    // Rotate the start per song so small songs do not all fill fold 1 first.
    const perm = rng.fork(song).permutation(ids.length);
    const offset = rng.fork(`${song}/offset`).int(k);
    perm.forEach((p, rank) => foldOf.set(ids[p], (rank + offset) % k));
  }
  const folds: Fold[] = Array.from({ length: k }, (_, i) => ({ name: `chunk-leaky-${i + 1}`, train: [], test: [] }));
  windows.forEach((w, i) => {
    const c = Math.floor(w.start / len);
    if (c >= nChunks || w.start + win > (c + 1) * len) return;
    const f = mustGet(foldOf, `${w.seg}/${c}`, 'chunk folds');
    folds.forEach((fold, j) => (j === f ? fold.test : fold.train).push(i));
  });
  const empty = folds.find((f) => f.test.length === 0);
  if (empty)
    throw new InputError(
      'splits',
      `${empty.name} tests no window: too few ${len}-sample chunks per song for ${k} folds (lower chunkTestFraction's reciprocal or chunkSec)`,
    );
  return folds;
}

/**
 * K folds of contiguous time blocks within every segment. Test windows lie
 * inside the block; training windows end ≥ `gap` samples before it or start
 * ≥ `gap` after it; anything else is used in neither side of that fold.
 */
export function timeBlockFolds(windows: WindowRef[], nT: number, win: number, k: number, gap = 0): Fold[] {
  const folds: Fold[] = [];
  for (let b = 0; b < k; b++) {
    const lo = Math.round((b * nT) / k);
    const hi = Math.round(((b + 1) * nT) / k);
    const fold: Fold = { name: `time-block-${b + 1}`, train: [], test: [] };
    windows.forEach((w, i) => {
      const end = w.start + win;
      if (w.start >= lo && end <= hi) fold.test.push(i);
      else if (end <= lo - gap || w.start >= hi + gap) fold.train.push(i);
    });
    if (fold.test.length === 0)
      throw new InputError('folds', `time block ${b + 1} (${hi - lo} samples) is shorter than a window (${win} samples): use fewer blocks or shorter windows`);
    if (fold.train.length === 0)
      throw new InputError(
        'blockGapSec',
        `time block ${b + 1} leaves no training window ${gap} samples clear of it in ${nT}-sample segments: use a smaller gap, shorter windows or fewer blocks`,
      );
    folds.push(fold);
  }
  return folds;
}

/** One fold per subject: test on that subject, train on the others. */
export function losoFolds(windows: WindowRef[], set: Pick<SegmentSet, 'subjects'>): Fold[] {
  const subs = [...new Set(set.subjects)].sort();
  if (subs.length < 2) throw new InputError('split', 'leave-one-subject-out needs at least 2 subjects');
  return subs.map((s) => {
    const fold: Fold = { name: `loso-${s}`, train: [], test: [] };
    windows.forEach((w, i) => (set.subjects[w.seg] === s ? fold.test : fold.train).push(i));
    return fold;
  });
}

export interface SplitOptions {
  /** Folds of random-chunk. */
  folds: number;
  /** Time blocks per segment and the train–test gap, samples. */
  blocks: number;
  gap: number;
  /** PredANN chunk length, samples, and held-out fraction. */
  chunk: number;
  chunkTestFraction: number;
}

/** Build the folds of a split kind. */
export function makeSplit(kind: SplitKind, windows: WindowRef[], set: SegmentSet, win: number, o: SplitOptions, rng: Rng): Fold[] {
  if (kind === 'chunk-leaky') return chunkFolds(windows, set, win, o.chunk, o.chunkTestFraction, rng.fork('chunk'));
  if (kind === 'random-chunk') return randomChunkFolds(windows, o.folds, rng.fork('random-chunk'));
  if (kind === 'time-block') return timeBlockFolds(windows, set.nT, win, o.blocks, o.gap);
  return losoFolds(windows, set);
}

/** Gather windows into one nWin × nCh × win float32 array. */
export function gatherWindows(set: SegmentSet, windows: WindowRef[], idx: readonly number[], win: number): Float32Array {
  const { nCh, nT } = set;
  const out = new Float32Array(idx.length * nCh * win);
  idx.forEach((wi, i) => {
    const w = windows[wi];
    for (let c = 0; c < nCh; c++) {
      const o = (w.seg * nCh + c) * nT + w.start;
      out.set(set.eeg.subarray(o, o + win), (i * nCh + c) * win);
    }
  });
  return out;
}
