/**
 * Random crops of training windows (src/decoding/crops.ts): a crop moves a
 * window by at most the jitter and never reads an EEG sample that the fold's
 * fixed training windows do not read, so time-block gaps and chunk borders
 * hold; windows can reach every start of a segment's training stretch.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { cropRanges, jitterWindows } from '../../src/decoding/crops.js';
import { cutWindowRefs, timeBlockFolds } from '../../src/decoding/windows.js';

const NT = 640; // 10 s at 64 Hz
const WIN = 192; // 3 s
const HOP = 32; // 0.5 s
const GAP = 32;

test('time-block crops (gap 0.5 s, jitter ±0.5 s, 200 epochs): every crop within ±jitter and inside the training coverage, never in the gap or test block', (t) => {
  const windows = cutWindowRefs(3, NT, WIN, HOP);
  const folds = timeBlockFolds(windows, NT, WIN, 2, GAP);
  const rng = new Rng(5, 'crops-test');
  for (const fold of folds) {
    const covered = new Uint8Array(3 * NT);
    for (const w of fold.train) for (let s = windows[w].start; s < windows[w].start + WIN; s++) covered[windows[w].seg * NT + s] = 1;
    const ranges = cropRanges(windows, fold.train, WIN);
    let outside = 0,
      tooFar = 0,
      moved = 0;
    for (let e = 0; e < 200; e++) {
      const crops = jitterWindows(windows, fold.train, ranges, 32, rng);
      crops.forEach((c, i) => {
        const w = windows[fold.train[i]];
        if (c.seg !== w.seg) outside++;
        if (Math.abs(c.start - w.start) > 32) tooFar++;
        if (c.start !== w.start) moved++;
        for (let s = c.start; s < c.start + WIN; s++)
          if (!covered[c.seg * NT + s]) {
            outside++;
            break;
          }
      });
    }
    t.is(outside, 0, `${fold.name}: crops reading uncovered samples`);
    t.is(tooFar, 0);
    t.true(moved > 0.6 * 200 * fold.train.length, `${fold.name}: crops rarely move (${moved})`);
  }
});

test('crop ranges: a segment split into two training stretches by a held-out middle gives two runs; one contiguous stretch gives one', (t) => {
  const windows = cutWindowRefs(1, NT, WIN, HOP);
  // Keep starts 0..64 and 384..448: the middle windows (starts 96..352) are held out.
  const idx = windows.map((w, i) => (w.start <= 64 || w.start >= 384 ? i : -1)).filter((i) => i >= 0);
  const r = cropRanges(windows, idx, WIN);
  const byStart = new Map(idx.map((w, i) => [windows[w].start, [r.lo[i], r.hi[i]]]));
  t.deepEqual(byStart.get(0), [0, 64]);
  t.deepEqual(byStart.get(64), [0, 64]);
  t.deepEqual(byStart.get(384), [384, 448]);
  const all = cutWindowRefs(1, NT, WIN, HOP).map((_, i) => i);
  const ra = cropRanges(windows, all, WIN);
  t.is(Math.min(...ra.lo), 0);
  t.is(Math.max(...ra.hi), NT - WIN);
});
