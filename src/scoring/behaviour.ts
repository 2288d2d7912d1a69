/**
 * Behavioural consistency s_b: how human-like a model's genre judgements are,
 * not how accurate. Two per-clip profiles — which clips are hard (probability
 * of the true genre) and where the errors go (probability of each wrong
 * genre) — are correlated between the model's softmax and the pooled
 * listeners' response distribution, and each correlation is divided by the
 * square root of the listeners' split-half (Spearman–Brown) reliability.
 * Reported unclipped. docs/bas.md gives the equations.
 */
import { Rng } from '../core/prng.js';
import { checkBehaviourInput, modelProbabilities, type BehaviourInput } from './behaviour/input.js';
import { splitHalfCeiling } from './behaviour/ceiling.js';
import { kappaSummary } from './behaviour/kappa-pool.js';
import { poolResponses, profileCorrelations, type Corr, type ProbTable } from './behaviour/profiles.js';

export { checkBehaviourInput, type BehaviourInput } from './behaviour/input.js';

export interface BehaviourOptions {
  /** Clip occurrences to score (default every clip once; a bootstrap passes a resample with repeats). */
  clips?: ArrayLike<number>;
  /** Listener draws (default every listener once; a listener drawn k times weighs k). */
  listeners?: ArrayLike<number>;
  /** Stream for the random listener splits of the ceiling (default a fixed seed, so results are reproducible). */
  rng?: Rng;
  /** Random listener splits averaged in the ceiling (default 100). */
  nSplits?: number;
}

/** Every number unitless. r = Pearson r; ρ = Spearman–Brown reliability of the whole listener pool. */
export interface BehaviourScore {
  /** Share of clips the model got right (its choice = the true genre). */
  accuracyModel: number;
  /** Share of the listeners' ratings that were right. */
  accuracyHuman: number;
  /** κ(m, H): mean over listeners of the error consistency κ of the model's choices with theirs (Geirhos et al. 2020). */
  kappaModel: number;
  /** κ(H, H): mean over listener pairs of their error consistency κ. */
  kappaHuman: number;
  /** r_D(m, H): over clips, the model's probability of the true genre vs the listeners' share of correct answers (0 if the model's is constant). */
  difficultyModel: number;
  /** ρ_D: split-half reliability of the listeners' share of correct answers per clip, stepped up to all listeners. */
  difficultyCeiling: number;
  /** r_E(m, H): over clips × wrong genres, the model's probability vs the listeners' share of that wrong answer (0 if the model's is constant). */
  errorModel: number;
  /** ρ_E: split-half reliability of the listeners' wrong-answer shares, stepped up to all listeners. */
  errorCeiling: number;
  /** ρ1_D: reliability of one listener's difficulty profile (the ceiling's ρ_D before the step-up). */
  difficultySingle: number;
  /** ρ1_E: reliability of one listener's error profile. */
  errorSingle: number;
  /**
   * True when the model gave choices only (no probabilities): it is then one
   * draw per clip, like a listener, and its ceiling is √(ρ1 ρ) instead of √ρ.
   */
  fromChoices: boolean;
  /** r_D / ceiling: 1 = as consistent with the listeners' clip difficulty as their own data allow. */
  difficultyScore: number;
  /** r_E / ceiling: the same for where the errors go. */
  errorScore: number;
  /** s_b = ½ (difficultyScore + errorScore), unclipped; 0 = no human-like structure, 1 = at the listener ceiling. */
  sB: number;
}

/** The model's correlation with the pool: a constant model profile shares none of the listeners' variance (0); a constant human one leaves nothing to share (NaN). */
const modelCorr = (c: Corr): number => (c.constB ? NaN : c.constA ? 0 : c.r);

/** Listener weights from draws: w_h = how often listener h was drawn. */
function listenerWeights(nHumans: number, listeners?: ArrayLike<number>): Float64Array {
  const w = new Float64Array(nHumans);
  if (!listeners) return w.fill(1);
  for (let i = 0; i < listeners.length; i++) {
    const h = listeners[i];
    if (!Number.isInteger(h) || h < 0 || h >= nHumans) throw new RangeError(`listener index ${h} outside [0, ${nHumans})`);
    w[h]++;
  }
  return w;
}

/** One joint bootstrap draw: listeners and clips each resampled with replacement (sizes kept). */
export function resampleBehaviour(nHumans: number, nClips: number, rng: Rng): { listeners: Int32Array; clips: Int32Array } {
  const listeners = new Int32Array(nHumans);
  for (let i = 0; i < nHumans; i++) listeners[i] = rng.int(nHumans);
  const clips = new Int32Array(nClips);
  for (let i = 0; i < nClips; i++) clips[i] = rng.int(nClips);
  return { listeners, clips };
}

/** s_b and its parts for the given clip occurrences and listener draws (default all, once). */
export function behaviourScore(b: BehaviourInput, opts: BehaviourOptions = {}): BehaviourScore {
  const nClips = checkBehaviourInput(b);
  const G = b.nGenres;
  const H = b.nHumans;
  const clips = opts.clips ?? Int32Array.from({ length: nClips }, (_, i) => i);
  for (let i = 0; i < clips.length; i++) {
    if (!Number.isInteger(clips[i]) || clips[i] < 0 || clips[i] >= nClips) throw new RangeError(`clip index ${clips[i]} outside [0, ${nClips})`);
  }
  const w = listenerWeights(H, opts.listeners);
  const pool = poolResponses(b.humans, H, nClips, G, w);
  const model: ProbTable = { p: modelProbabilities(b), defined: new Uint8Array(nClips).fill(1) };
  const mh = profileCorrelations(model, pool, b.trueGenre, G, clips);
  const ceil = splitHalfCeiling(b.humans, H, b.trueGenre, G, w, clips, opts.nSplits ?? 100, opts.rng ?? new Rng(0, 'behaviour/splits'));
  const difficultyModel = modelCorr(mh.difficulty);
  const errorModel = modelCorr(mh.errors);
  const fromChoices = !b.modelProbs;
  const difficultyScore = difficultyModel / Math.sqrt(ceil.difficulty * (fromChoices ? ceil.difficultySingle : 1));
  const errorScore = errorModel / Math.sqrt(ceil.errors * (fromChoices ? ceil.errorsSingle : 1));

  let right = 0;
  let rightH = 0;
  let nH = 0;
  for (let i = 0; i < clips.length; i++) {
    const c = clips[i];
    if (b.model[c] === b.trueGenre[c]) right++;
    for (let h = 0; h < H; h++) {
      const k = b.humans[h * nClips + c];
      if (k < 0 || !(w[h] > 0)) continue;
      nH += w[h];
      if (k === b.trueGenre[c]) rightH += w[h];
    }
  }
  const kappa = kappaSummary(b.humans, H, b.trueGenre, b.model, w, clips);
  return {
    accuracyModel: clips.length > 0 ? right / clips.length : NaN,
    accuracyHuman: nH > 0 ? rightH / nH : NaN,
    ...kappa,
    difficultyModel,
    difficultyCeiling: ceil.difficulty,
    errorModel,
    errorCeiling: ceil.errors,
    difficultySingle: ceil.difficultySingle,
    errorSingle: ceil.errorsSingle,
    fromChoices,
    difficultyScore,
    errorScore,
    sB: 0.5 * (difficultyScore + errorScore),
  };
}
