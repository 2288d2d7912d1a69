/**
 * Backward-model lags are stated in stimulus time. Planted: one EEG channel
 * carries the stimulus 100 ms late (plus noise), and segments start 200 ms
 * after onset as in PredANN, so the response sits 100 ms *before* each
 * segment sample's stimulus time. With the lag window 0–0.5 s post-stimulus
 * placed correctly (segment offsets −0.2…0.3 s) the reconstruction recovers
 * the stimulus (inner-CV r > 0.9); the old placement (0–0.5 s of segment
 * time, i.e. 0.2–0.7 s post-stimulus) misses the response (r < 0.2).
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { fitBackwardModel, leadDelays } from '../../src/decoding/regression.js';
import { cutWindowRefs } from '../../src/decoding/windows.js';
import type { SegmentSet, TargetMatrix } from '../../src/decoding/types.js';

test('lags [0, 0.5] s post-stimulus with a 0.2 s segment shift are segment offsets −0.2…0.3 s', (t) => {
  const d = leadDelays(100, [0, 0.5], 1, 0.2);
  t.is(d.length, 51);
  // delayFeatures' delays are the negated offsets: segment sample t + o predicts row t.
  t.is(-d[0], -20);
  t.is(-d[d.length - 1], 30);
  t.deepEqual(leadDelays(100, [0, 0.5], 10, 0), [-0, -10, -20, -30, -40, -50]);
});

test('a response 100 ms after the sound is found with stimulus-time lags and missed with segment-time lags', (t) => {
  const rate = 50,
    nSeg = 6,
    nT = 400,
    shift = 0.2,
    latency = 0.1;
  const rng = new Rng(11, 'lags');
  // Smooth random stimuli (white noise, 3-point moving average), one per segment, long enough to cover the shift.
  const stim = Array.from({ length: nSeg }, () => {
    const w = rng.normals(nT + 40);
    return Float32Array.from(w, (_, i) => (w[Math.max(0, i - 1)] + w[i] + w[Math.min(w.length - 1, i + 1)]) / 3);
  });
  // EEG sample t of a segment is recorded at stimulus time t/rate + shift and holds the stimulus from `latency` earlier.
  const eeg = new Float32Array(nSeg * nT);
  const lagS = Math.round((shift - latency) * rate);
  for (let s = 0; s < nSeg; s++) for (let i = 0; i < nT; i++) eeg[s * nT + i] = stim[s][i + lagS] + 0.3 * rng.normal();
  const stimIds = stim.map((_, s) => `song${s}`);
  const set: SegmentSet = { eeg, nSeg, nCh: 1, nT, rate, shiftSec: shift, stimIds, subjects: stimIds.map(() => 'sub-01') };
  const target = (id: string): TargetMatrix => {
    const x = stim[stimIds.indexOf(id)];
    return { data: x, n: nT, f: 1 };
  };
  const win = 100;
  const windows = cutWindowRefs(nSeg, nT, win, 50);
  const fold = { name: 'all', train: windows.map((_, i) => i), test: [] };
  const opts = { lagsSec: [0, 0.5] as [number, number], lagStep: 1, alphas: [0.1, 1, 10, 100], innerFolds: 3 };
  const right = fitBackwardModel(set, windows, fold, win, target, opts);
  const wrong = fitBackwardModel({ ...set, shiftSec: 0 }, windows, fold, win, target, opts);
  t.true(right.cvR[0] > 0.9, `stimulus-time lags: r = ${right.cvR[0]}`);
  t.true(wrong.cvR[0] < 0.2, `segment-time lags: r = ${wrong.cvR[0]}`);
});
