/**
 * What a trained (or partly trained) network says about every clip: its
 * per-clip predictions under the one rule of clip-choice.ts, written once per
 * saved checkpoint, and the held-out evaluation of the best checkpoint (test
 * clips' confusion, per-genre precision and recall, window and clip
 * accuracy), computed from those same predictions.
 */
import type { AudioNet } from './ban.js';
import type { Clip } from './dataset.js';
import { clipScores } from './clip-choice.js';
import { argmaxRow, windowLogits } from './windows.js';
import type { SplitRole } from '../artifacts/train-split.js';
import type { Predictions } from '../artifacts/train-predictions.js';
import type { Confusion, GenreScore } from '../artifacts/train-evaluation.js';

/** The clips a network is scored on, with their study ids and split roles. */
export interface ClipSet {
  clips: Clip[];
  classes: string[];
  stimId: (clip: Clip) => string;
  role: (clip: Clip) => SplitRole;
}

export interface Evaluation {
  /** Window-level accuracy over the test clips' tiling windows (null: no test clip). */
  accuracy: number | null;
  nWindows: number;
  /** Clip-level accuracy over the test clips (null: no test clip). */
  clipAccuracy: number | null;
  nClips: number;
  correctClips: number;
  confusion: Confusion;
  perGenre: GenreScore[];
}

/** Every clip's prediction by `model` in eval mode, and the window-level hits on test clips. */
export function predictClips(model: AudioNet, set: ClipSet): { predictions: Predictions; testWindows: number; testWindowHits: number } {
  const K = set.classes.length;
  const { logits, clipOf } = windowLogits(model, set.clips);
  const s = clipScores(logits, clipOf, set.clips.length, K);
  let testWindows = 0;
  let testWindowHits = 0;
  for (let w = 0; w < clipOf.length; w++) {
    const c = set.clips[clipOf[w]];
    if (set.role(c) !== 'test') continue;
    testWindows++;
    if (argmaxRow(logits, w, K) === c.label) testWindowHits++;
  }
  const rows = set.clips.map((c, i) => ({
    stimId: set.stimId(c),
    trueGenre: c.genre,
    predictedGenre: set.classes[s.choice[i]],
    split: set.role(c),
    probs: Array.from(s.probs.subarray(i * K, (i + 1) * K)),
  }));
  return { predictions: { classes: set.classes, rows }, testWindows, testWindowHits };
}

/** Test-split confusion, per-genre scores and accuracies from the predictions (clip level) and window hits. */
export function evaluateHeldOut(p: ReturnType<typeof predictClips>): Evaluation {
  const { classes, rows } = p.predictions;
  const idx = new Map(classes.map((g, i) => [g, i]));
  const counts = classes.map(() => new Array<number>(classes.length).fill(0));
  for (const r of rows) {
    const t = idx.get(r.trueGenre);
    if (r.split === 'test' && t !== undefined) counts[t][idx.get(r.predictedGenre) as number]++;
  }
  const nClips = counts.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  const correctClips = counts.reduce((s, r, t) => s + r[t], 0);
  const perGenre = classes.map((genre, k) => {
    const n = counts[k].reduce((a, b) => a + b, 0);
    const predicted = counts.reduce((s, r) => s + r[k], 0);
    return { genre, precision: predicted ? counts[k][k] / predicted : null, recall: n ? counts[k][k] / n : null, n };
  });
  return {
    accuracy: p.testWindows ? p.testWindowHits / p.testWindows : null,
    nWindows: p.testWindows,
    clipAccuracy: nClips ? correctClips / nClips : null,
    nClips,
    correctClips,
    confusion: { classes, counts },
    perGenre,
  };
}
