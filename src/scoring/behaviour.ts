/**
 * Behavioural consistency s_b between a model's per-clip genre choices and
 * human listeners', normalised by how consistent humans are with each other.
 * See docs/bas.md for the equations.
 */
import { InputError } from '../core/errors.js';
import { pearson } from '../encoding/correlation.js';

export interface BehaviourInput {
  nGenres: number;
  /** True genre per clip (0..nGenres−1). */
  trueGenre: Int32Array;
  /** The model's chosen genre per clip. */
  model: Int32Array;
  /** nHumans × nClips row-major choices; −1 = the listener did not rate the clip. */
  humans: Int32Array;
  nHumans: number;
}

export interface BehaviourScore {
  /** A(m, H): mean over clips of the fraction of listeners who chose what the model chose. */
  agreementModel: number;
  /** A(H, H): mean over clips of the fraction of listener pairs who chose alike. */
  agreementHuman: number;
  /** ρ(m, H): Pearson r between the model's and the pooled listeners' row-normalised confusion matrices. */
  confusionModel: number;
  /** ρ(H, H): mean over listeners of r between their confusion matrix and the pooled others'. */
  confusionHuman: number;
  /** s_b = ½ (clip(A(m,H)/A(H,H)) + clip(ρ(m,H)/ρ(H,H))), unitless. */
  sB: number;
}

export function checkBehaviourInput(b: BehaviourInput): number {
  const nClips = b.trueGenre.length;
  if (b.model.length !== nClips) throw new InputError('behaviour', `model has ${b.model.length} choices for ${nClips} clips`);
  if (b.humans.length !== b.nHumans * nClips) throw new InputError('behaviour', `expected ${b.nHumans}×${nClips} human choices, got ${b.humans.length}`);
  if (b.nHumans < 2) throw new InputError('behaviour', `human–human consistency needs at least 2 listeners, got ${b.nHumans}`);
  const ok = (g: number): boolean => Number.isInteger(g) && g >= 0 && g < b.nGenres;
  for (let c = 0; c < nClips; c++) {
    if (!ok(b.trueGenre[c])) throw new InputError('behaviour', `clip ${c}: true genre ${b.trueGenre[c]} outside [0, ${b.nGenres})`);
    if (!ok(b.model[c])) throw new InputError('behaviour', `clip ${c}: model genre ${b.model[c]} outside [0, ${b.nGenres})`);
  }
  for (let i = 0; i < b.humans.length; i++) {
    if (b.humans[i] !== -1 && !ok(b.humans[i])) throw new InputError('behaviour', `human choice ${b.humans[i]} outside [-1, ${b.nGenres})`);
  }
  return nClips;
}

/** Pearson r (unitless) over cells where both matrices are defined (genres never shown to a rater are NaN rows); NaN with fewer than 2 such cells or a constant side. */
function pearsonDefined(a: Float64Array, b: Float64Array): number {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    x.push(a[i]);
    y.push(b[i]);
  }
  return x.length < 2 ? NaN : pearson(x, y);
}

/** Row-normalised G×G confusion matrix (row = true genre, column = chosen genre) from (true, chosen) counts. */
function rowNormalise(counts: Float64Array, G: number): Float64Array {
  const out = new Float64Array(G * G);
  for (let g = 0; g < G; g++) {
    let s = 0;
    for (let k = 0; k < G; k++) s += counts[g * G + k];
    for (let k = 0; k < G; k++) out[g * G + k] = s > 0 ? counts[g * G + k] / s : NaN;
  }
  return out;
}

const clip = (x: number, lo: number, hi: number): number => (Number.isNaN(x) ? NaN : Math.min(hi, Math.max(lo, x)));
/** A ratio to the human–human consistency is undefined when humans are not positively consistent. */
const ratio = (num: number, den: number): number => (den > 0 ? num / den : NaN);

/**
 * Behavioural consistency over clips `clips` (default all; may repeat, for
 * bootstrap resampling). Each ratio is clipped to [lo, hi] (default [0, 1])
 * before averaging. All outputs unitless.
 */
export function behaviourScore(b: BehaviourInput, clips?: ArrayLike<number>, bounds: { lo: number; hi: number } = { lo: 0, hi: 1 }): BehaviourScore {
  const nClips = checkBehaviourInput(b);
  const G = b.nGenres;
  const H = b.nHumans;
  const idx = clips ?? Array.from({ length: nClips }, (_, i) => i);
  let aM = 0;
  let nM = 0;
  let aH = 0;
  let nH = 0;
  const cModel = new Float64Array(G * G);
  const cAll = new Float64Array(G * G);
  const cEach = Array.from({ length: H }, () => new Float64Array(G * G));
  const perGenre = new Float64Array(G);
  for (let i = 0; i < idx.length; i++) {
    const c = idx[i];
    const g = b.trueGenre[c];
    cModel[g * G + b.model[c]]++;
    perGenre.fill(0);
    let n = 0;
    for (let h = 0; h < H; h++) {
      const k = b.humans[h * nClips + c];
      if (k < 0) continue;
      perGenre[k]++;
      n++;
      cAll[g * G + k]++;
      cEach[h][g * G + k]++;
    }
    if (n >= 1) {
      aM += perGenre[b.model[c]] / n;
      nM++;
    }
    if (n >= 2) {
      let same = 0;
      for (let k = 0; k < G; k++) same += perGenre[k] * (perGenre[k] - 1);
      aH += same / (n * (n - 1));
      nH++;
    }
  }
  const agreementModel = nM > 0 ? aM / nM : NaN;
  const agreementHuman = nH > 0 ? aH / nH : NaN;
  const confusionModel = pearsonDefined(rowNormalise(cModel, G), rowNormalise(cAll, G));
  let cH = 0;
  let nCH = 0;
  const others = new Float64Array(G * G);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < G * G; i++) others[i] = cAll[i] - cEach[h][i];
    const r = pearsonDefined(rowNormalise(cEach[h], G), rowNormalise(others, G));
    if (!Number.isNaN(r)) {
      cH += r;
      nCH++;
    }
  }
  const confusionHuman = nCH > 0 ? cH / nCH : NaN;
  const sB =
    0.5 *
    (clip(ratio(agreementModel, agreementHuman), bounds.lo, bounds.hi) + clip(ratio(confusionModel, confusionHuman), bounds.lo, bounds.hi));
  return { agreementModel, agreementHuman, confusionModel, confusionHuman, sB };
}
