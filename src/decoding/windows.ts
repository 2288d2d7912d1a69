/**
 * Windows and cross-validation splits over EEG segments.
 *
 * - `random-chunk` (PredANN's setting): windows are dealt at random into K
 *   folds, regardless of subject, song or time. Windows of the same
 *   presentation, overlapping ones included, land in both train and test,
 *   so it measures recognition of seen material and is optimistic.
 * - `time-block` (honest within-song): each segment's time line is cut into
 *   K contiguous blocks; fold k tests on windows lying entirely inside block
 *   k and trains only on windows lying entirely outside it, so no EEG sample
 *   is shared between train and test.
 * - `loso` (leave one subject out): fold s tests on subject s and trains on
 *   every other subject.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import type { Fold, SegmentSet, WindowRef } from './types.js';

export type SplitKind = 'random-chunk' | 'time-block' | 'loso';

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
  for (const f of folds) { f.train.sort((a, b) => a - b); f.test.sort((a, b) => a - b); }
  return folds;
}

/** K folds of contiguous time blocks within every segment; windows straddling a block edge are used in neither side of that fold. */
export function timeBlockFolds(windows: WindowRef[], nT: number, win: number, k: number): Fold[] {
  const folds: Fold[] = [];
  for (let b = 0; b < k; b++) {
    const lo = Math.round((b * nT) / k);
    const hi = Math.round(((b + 1) * nT) / k);
    const fold: Fold = { name: `time-block-${b + 1}`, train: [], test: [] };
    windows.forEach((w, i) => {
      const end = w.start + win;
      if (w.start >= lo && end <= hi) fold.test.push(i);
      else if (end <= lo || w.start >= hi) fold.train.push(i);
    });
    if (fold.test.length === 0) throw new InputError('folds', `time block ${b + 1} (${hi - lo} samples) is shorter than a window (${win} samples): use fewer blocks or shorter windows`);
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

/** Build the folds of a split kind. */
export function makeSplit(kind: SplitKind, windows: WindowRef[], set: SegmentSet, win: number, k: number, rng: Rng): Fold[] {
  if (kind === 'random-chunk') return randomChunkFolds(windows, k, rng.fork('random-chunk'));
  if (kind === 'time-block') return timeBlockFolds(windows, set.nT, win, k);
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
