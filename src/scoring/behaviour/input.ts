/**
 * What s_b is computed from: per clip the true genre, the model's choice and
 * (optionally) its softmax over genres, and every listener's choice.
 */
import { InputError } from '../../core/errors.js';

export interface BehaviourInput {
  nGenres: number;
  /** True genre per clip (0..nGenres−1). */
  trueGenre: Int32Array;
  /** The model's chosen genre per clip. */
  model: Int32Array;
  /**
   * nClips × nGenres row-major: the model's probability of each genre per clip
   * (softmax of its clip logits). Absent = one-hot on `model`, which treats the
   * model as a single draw and so under-scores it (docs/bas.md).
   */
  modelProbs?: Float64Array;
  /** nHumans × nClips row-major choices; −1 = the listener did not rate the clip. */
  humans: Int32Array;
  nHumans: number;
}

const PROB_TOLERANCE = 1e-4;

/** Validates `b` (throws InputError) and returns the number of clips. */
export function checkBehaviourInput(b: BehaviourInput): number {
  const nClips = b.trueGenre.length;
  const G = b.nGenres;
  if (b.model.length !== nClips) throw new InputError('behaviour', `model has ${b.model.length} choices for ${nClips} clips`);
  if (b.humans.length !== b.nHumans * nClips) throw new InputError('behaviour', `expected ${b.nHumans}×${nClips} human choices, got ${b.humans.length}`);
  if (b.nHumans < 2) throw new InputError('behaviour', `the split-half listener ceiling needs at least 2 listeners, got ${b.nHumans}`);
  const ok = (g: number): boolean => Number.isInteger(g) && g >= 0 && g < G;
  for (let c = 0; c < nClips; c++) {
    if (!ok(b.trueGenre[c])) throw new InputError('behaviour', `clip ${c}: true genre ${b.trueGenre[c]} outside [0, ${G})`);
    if (!ok(b.model[c])) throw new InputError('behaviour', `clip ${c}: model genre ${b.model[c]} outside [0, ${G})`);
  }
  for (let i = 0; i < b.humans.length; i++) {
    if (b.humans[i] !== -1 && !ok(b.humans[i])) throw new InputError('behaviour', `human choice ${b.humans[i]} outside [-1, ${G})`);
  }
  if (b.modelProbs) {
    if (b.modelProbs.length !== nClips * G)
      throw new InputError('behaviour', `model probabilities: expected ${nClips}×${G} values, got ${b.modelProbs.length}`);
    for (let c = 0; c < nClips; c++) {
      let s = 0;
      for (let k = 0; k < G; k++) {
        const p = b.modelProbs[c * G + k];
        if (!(p >= 0 && p <= 1)) throw new InputError('behaviour', `clip ${c}: model probability ${p} outside [0, 1]`);
        s += p;
      }
      if (Math.abs(s - 1) > PROB_TOLERANCE) throw new InputError('behaviour', `clip ${c}: model probabilities sum to ${s}, not 1`);
    }
  }
  return nClips;
}

/** The model's per-clip probabilities: the given softmax, else one-hot on its choice. */
export function modelProbabilities(b: BehaviourInput): Float64Array {
  if (b.modelProbs) return b.modelProbs;
  const G = b.nGenres;
  const p = new Float64Array(b.model.length * G);
  for (let c = 0; c < b.model.length; c++) p[c * G + b.model[c]] = 1;
  return p;
}
