/**
 * Backward (stimulus-reconstruction) models. The stimulus representation at
 * stimulus time t is predicted from the EEG recorded ℓ ∈ [ℓ0, ℓ1] after it
 * (the brain responds after the sound, so the decoder looks ahead in the EEG):
 *
 *   ŝ_j(t) = b_j + Σ_c Σ_ℓ w_{c,ℓ,j} · x_c(t + ℓ),   ℓ ∈ [0, 500 ms] by default
 *
 * The lag window is stated in stimulus time. Segments start `shiftSec`
 * (0.2 s) after onset, so segment sample t holds the EEG of stimulus time
 * t/rate + shift, and a lag ℓ is a segment offset of ℓ − shift: the default
 * window is −0.2…0.3 s in segment samples. Placing it at 0…0.5 s of segment
 * time instead (issue 13) made the decoder look at 0.2–0.7 s after the sound
 * and miss the 50–230 ms responses; EEG before a segment's start is zero.
 *
 * fitted by ridge with one α per target feature chosen by grouped inner CV
 * (encoding/ridge.ts). A test window is then identified by correlating its
 * reconstruction with every candidate song's representation over the same
 * stretch of song time; the correlation is the candidate's score. With the
 * amplitude envelope as the target this is the classic mTRF envelope-
 * reconstruction decoder.
 */
import { InputError } from '../core/errors.js';
import { delayFeatures } from '../encoding/delays.js';
import { ridgeCV, ridgePredict } from '../encoding/ridge.js';
import { pearson } from '../stats/correlation.js';
import type { Fold, SegmentSet, TargetSource, WindowRef } from './types.js';
import { getOrCreate } from '../core/lookup.js';

export interface RegressionDecoderOptions {
  /** Lag range of the EEG after the stimulus, in stimulus time, seconds (default [0, 0.5]). */
  lagsSec: [number, number];
  /** Use every lagStep-th lag (default 1). */
  lagStep: number;
  alphas: number[];
  /** Inner CV folds for α (grouped by contiguous training stretch). */
  innerFolds: number;
}

/**
 * Segment offsets d (segment sample t + d predicts target row t) covering
 * post-stimulus lags `lagsSec` when segments start `shiftSec` after onset,
 * returned as delays for delayFeatures (negative = lead).
 */
export function leadDelays(rate: number, lagsSec: [number, number], step = 1, shiftSec = 0): number[] {
  const a = Math.round((lagsSec[0] - shiftSec) * rate);
  const b = Math.round((lagsSec[1] - shiftSec) * rate);
  const out: number[] = [];
  for (let d = a; d <= b; d += step) out.push(-d);
  return out;
}

/** Channels of segment `seg` over samples [a, b) as (b−a) × nCh rows. */
function eegRows(set: SegmentSet, seg: number, a: number, b: number): Float32Array {
  const { nCh, nT } = set;
  const out = new Float32Array((b - a) * nCh);
  for (let c = 0; c < nCh; c++) {
    const o = (seg * nCh + c) * nT;
    for (let t = a; t < b; t++) out[(t - a) * nCh + c] = set.eeg[o + t];
  }
  return out;
}

/**
 * Training stretches: per segment, the union of the training windows'
 * samples, as contiguous [a, b) runs (overlapping windows are used once),
 * clipped to the target's length.
 */
function trainingRuns(
  set: SegmentSet,
  windows: WindowRef[],
  train: readonly number[],
  win: number,
  targetLen: (seg: number) => number,
): { seg: number; a: number; b: number }[] {
  const cover = new Map<number, Uint8Array>();
  for (const wi of train) {
    const w = windows[wi];
    getOrCreate(cover, w.seg, () => new Uint8Array(set.nT)).fill(1, w.start, w.start + win);
  }
  const runs: { seg: number; a: number; b: number }[] = [];
  for (const [seg, m] of [...cover].sort(([x], [y]) => x - y)) {
    const lim = Math.min(set.nT, targetLen(seg));
    let t = 0;
    while (t < lim) {
      if (!m[t]) {
        t++;
        continue;
      }
      const a = t;
      while (t < lim && m[t]) t++;
      runs.push({ seg, a, b: t });
    }
  }
  return runs;
}

export interface FittedBackwardModel {
  weights: Float32Array;
  intercept: Float32Array;
  /** Design width (channels × lags). */
  p: number;
  /** Target features. */
  f: number;
  delays: number[];
  /** Inner-CV reconstruction r per target feature. */
  cvR: Float32Array;
}

/** Fit the backward model on a fold's training windows (targets should already be standardised). */
export function fitBackwardModel(
  set: SegmentSet,
  windows: WindowRef[],
  fold: Fold,
  win: number,
  target: TargetSource,
  opts: RegressionDecoderOptions,
): FittedBackwardModel {
  const delays = leadDelays(set.rate, opts.lagsSec, opts.lagStep, set.shiftSec);
  const runs = trainingRuns(set, windows, fold.train, win, (seg) => target(set.stimIds[seg]).n);
  if (runs.length === 0) throw new InputError('decode-eeg', `fold ${fold.name} has no training samples`);
  const f = target(set.stimIds[runs[0].seg]).f;
  const p = set.nCh * delays.length;
  const n = runs.reduce((s, r) => s + r.b - r.a, 0);
  const X = new Float32Array(n * p);
  const Y = new Float32Array(n * f);
  const groups = new Int32Array(n);
  let row = 0;
  runs.forEach((r, ri) => {
    const len = r.b - r.a;
    X.set(delayFeatures(eegRows(set, r.seg, r.a, r.b), len, set.nCh, delays), row * p);
    const m = target(set.stimIds[r.seg]);
    Y.set(m.data.subarray(r.a * f, r.b * f), row * f);
    groups.fill(ri, row, row + len);
    row += len;
  });
  // Inner folds group whole stretches; contiguous groups of stretches keep folds balanced.
  const nGroups = Math.min(opts.innerFolds, runs.length);
  const g2 = Int32Array.from(groups, (g) => Math.floor((g * nGroups) / runs.length));
  const res = ridgeCV({ X, n, p, Y, v: f, alphas: opts.alphas, groups: nGroups >= 2 ? g2 : undefined, folds: nGroups >= 2 ? undefined : 2, standardize: true });
  if (!res.weights || !res.intercept) throw new Error('ridgeCV returned no weights');
  return { weights: res.weights, intercept: res.intercept, p, f, delays, cvR: res.cvR };
}

/** Reconstruct the target over one window (win × f rows), using only the window's own EEG. */
export function reconstructWindow(set: SegmentSet, model: FittedBackwardModel, w: WindowRef, win: number): Float32Array {
  const X = delayFeatures(eegRows(set, w.seg, w.start, w.start + win), win, set.nCh, model.delays);
  return ridgePredict(X, win, model.p, model.weights, model.intercept, model.f);
}

/**
 * Identification scores of a fold's test windows: nTest × nSongs, entry =
 * Pearson r between the window's reconstruction (flattened time × features)
 * and song c's standardised target over the same song time. −∞ when song c
 * is shorter than the window's end.
 */
export function regressionScores(
  set: SegmentSet,
  windows: WindowRef[],
  fold: Fold,
  win: number,
  target: TargetSource,
  songs: string[],
  opts: RegressionDecoderOptions,
): { scores: Float32Array; model: FittedBackwardModel } {
  const model = fitBackwardModel(set, windows, fold, win, target, opts);
  const K = songs.length;
  const scores = new Float32Array(fold.test.length * K);
  fold.test.forEach((wi, i) => {
    const w = windows[wi];
    const rec = reconstructWindow(set, model, w, win);
    songs.forEach((s, c) => {
      const m = target(s);
      if (w.start + win > m.n) {
        scores[i * K + c] = -Infinity;
        return;
      }
      const r = pearson(rec.subarray(0, win * m.f), m.data.subarray(w.start * m.f, (w.start + win) * m.f));
      scores[i * K + c] = Number.isFinite(r) ? r : -Infinity;
    });
  });
  return { scores, model };
}
