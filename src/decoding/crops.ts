/**
 * Random crops of training windows (PredANN draws its 3-s training windows at
 * random positions; fixed 1-s hops let a small network memorise each window's
 * background EEG instead of learning the song). Each epoch every training
 * window's start moves by a uniform integer offset within ±jitter samples,
 * but only inside its *run*: the stretch of the same segment covered by the
 * fold's fixed training windows that chain into it (consecutive starts at
 * most one window length apart, so their union has no hole). A crop therefore never reads an EEG sample that
 * the fold's training side did not already read: time-block gaps, chunk
 * borders and held-out validation segments stay intact.
 */
import type { Rng } from '../core/prng.js';
import type { WindowRef } from './types.js';

export interface CropRanges {
  /** Lowest and highest allowed start of each window, samples. */
  lo: Int32Array;
  hi: Int32Array;
}

/** Allowed start range of each window `idx[i]` within its run of training windows (starts at most `link` samples apart; pass the window length). */
export function cropRanges(windows: readonly WindowRef[], idx: readonly number[], link: number): CropRanges {
  const n = idx.length;
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const bySeg = new Map<number, number[]>();
  idx.forEach((w, i) => bySeg.set(windows[w].seg, [...(bySeg.get(windows[w].seg) ?? []), i]));
  for (const members of bySeg.values()) {
    members.sort((a, b) => windows[idx[a]].start - windows[idx[b]].start);
    let r0 = 0;
    for (let k = 1; k <= members.length; k++) {
      const breaks = k === members.length || windows[idx[members[k]]].start - windows[idx[members[k - 1]]].start > link;
      if (!breaks) continue;
      const first = windows[idx[members[r0]]].start;
      const last = windows[idx[members[k - 1]]].start;
      for (let m = r0; m < k; m++) {
        lo[members[m]] = first;
        hi[members[m]] = last;
      }
      r0 = k;
    }
  }
  return { lo, hi };
}

/** One epoch's crops: each window's start plus a uniform offset in [−jitter, jitter], clamped to its range. */
export function jitterWindows(windows: readonly WindowRef[], idx: readonly number[], ranges: CropRanges, jitter: number, rng: Rng): WindowRef[] {
  return idx.map((w, i) => {
    const off = jitter > 0 ? rng.int(2 * jitter + 1) - jitter : 0;
    const start = Math.min(ranges.hi[i], Math.max(ranges.lo[i], windows[w].start + off));
    return { seg: windows[w].seg, start };
  });
}
