/**
 * Genre judgements. Responses are drawn from a planted confusion matrix in
 * which the diagonal holds ~70 % and the known human confusions (rock↔metal,
 * jazz↔blues, disco↔pop, plus weaker country↔rock, pop↔hiphop, reggae↔hiphop)
 * take most of the rest; some clips are planted as ambiguous with one partner
 * genre, so listeners' errors concentrate on particular clips and go to a
 * particular genre (the ground truth of s_b); each subject's diagonal is
 * scaled by a skill factor.
 */
import type { Rng } from '../core/prng.js';

const CONFUSIONS: [string, string, number][] = [
  ['rock', 'metal', 0.14],
  ['metal', 'rock', 0.16],
  ['jazz', 'blues', 0.12],
  ['blues', 'jazz', 0.14],
  ['disco', 'pop', 0.15],
  ['pop', 'disco', 0.12],
  ['country', 'rock', 0.08],
  ['rock', 'country', 0.05],
  ['pop', 'hiphop', 0.05],
  ['hiphop', 'pop', 0.06],
  ['reggae', 'hiphop', 0.06],
  ['blues', 'rock', 0.05],
  ['classical', 'jazz', 0.04],
  ['country', 'blues', 0.05],
];

/**
 * The planted population confusion matrix over `genres`: row = true genre,
 * column = response, rows sum to 1. Off-diagonal mass not given by a named
 * confusion is spread evenly (0.02 per cell before normalisation).
 */
export function plantedConfusion(genres: readonly string[]): Float64Array {
  const k = genres.length;
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) m[i * k + j] = i === j ? 0.72 : 0.02;
  }
  for (const [a, b, p] of CONFUSIONS) {
    const i = genres.indexOf(a);
    const j = genres.indexOf(b);
    if (i >= 0 && j >= 0) m[i * k + j] += p;
  }
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += m[i * k + j];
    for (let j = 0; j < k; j++) m[i * k + j] /= s;
  }
  return m;
}

/** A clip's planted ambiguity: a share `strength` of the response mass moves to `partner` (−1 = none, strength 0). */
export interface ClipAmbiguity {
  partner: number;
  strength: number;
}

export interface AmbiguityPlan {
  /** Share of clips made ambiguous (rounded to whole clips). */
  fraction: number;
  /** Strength drawn uniformly in [lo, hi). */
  strength: readonly [number, number];
  /**
   * When set, the strength is rounded to a whole number of the audio's
   * parameter groups, a = round(a·groups)/groups (at least 1/groups), so the
   * listeners' partner share equals the share of the clip's musical traits
   * synthesised from the partner genre.
   */
  groups?: number;
}

/**
 * Chooses round(fraction · nClips) clips at random and gives each a partner
 * genre drawn from its genre's off-diagonal confusion row (so rock clips are
 * mostly mistakable for metal, as listeners' genre-level confusions say), with
 * a uniform strength.
 */
export function plantAmbiguity(stimGenre: number[], confusion: Float64Array, k: number, plan: AmbiguityPlan, rng: Rng): ClipAmbiguity[] {
  const out: ClipAmbiguity[] = stimGenre.map(() => ({ partner: -1, strength: 0 }));
  const n = Math.round(plan.fraction * stimGenre.length);
  const order = rng.permutation(stimGenre.length);
  for (let i = 0; i < n; i++) {
    const c = order[i];
    const g = stimGenre[c];
    const off = Array.from(confusion.subarray(g * k, (g + 1) * k), (p, j) => (j === g ? 0 : p));
    const partner = rng.categorical(off);
    const a = rng.range(plan.strength[0], plan.strength[1]);
    const q = plan.groups;
    out[c] = { partner, strength: q === undefined ? a : Math.max(1, Math.round(a * q)) / q };
  }
  return out;
}

/**
 * A listener's response distribution for one clip of genre g: the planted row
 * mixed with the partner, (1 − a) C[g,·] + a e_partner, then the diagonal
 * multiplied by `skill` and the row renormalised.
 */
export function clipResponseRow(confusion: Float64Array, k: number, g: number, amb: ClipAmbiguity, skill: number): Float64Array {
  const row = new Float64Array(k);
  for (let j = 0; j < k; j++) row[j] = (1 - amb.strength) * confusion[g * k + j];
  if (amb.partner >= 0) row[amb.partner] += amb.strength;
  row[g] *= skill;
  let s = 0;
  for (let j = 0; j < k; j++) s += row[j];
  for (let j = 0; j < k; j++) row[j] /= s;
  return row;
}

export interface BehaviourTrial {
  stim: number;
  trueGenre: number;
  response: number;
  /** Response time, seconds after clip offset. */
  rt: number;
}

/** The skill range of simulated listeners. */
export const SKILL_RANGE: readonly [number, number] = [0.8, 1.15];

/**
 * One subject's judgements of every stimulus (in a shuffled order), each
 * drawn from clipResponseRow with the subject's `skill` ∈ SKILL_RANGE and the
 * clip's ambiguity (default none). Returns trials in presentation order.
 */
export function simulateBehaviour(
  stimGenre: number[],
  confusion: Float64Array,
  k: number,
  rng: Rng,
  ambiguity?: readonly ClipAmbiguity[],
): { trials: BehaviourTrial[]; skill: number } {
  const skill = rng.range(SKILL_RANGE[0], SKILL_RANGE[1]);
  const order = rng.permutation(stimGenre.length);
  const trials: BehaviourTrial[] = [];
  const none: ClipAmbiguity = { partner: -1, strength: 0 };
  for (const s of order) {
    const g = stimGenre[s];
    const response = rng.categorical(clipResponseRow(confusion, k, g, ambiguity?.[s] ?? none, skill));
    // Log-normal RTs, slower on errors.
    const rt = Math.exp(Math.log(1.1) + 0.35 * rng.normal()) * (response === g ? 1 : 1.25);
    trials.push({ stim: s, trueGenre: g, response, rt });
  }
  return { trials, skill };
}

/** A behaviour-study config: listeners, ambiguous share and ambiguity range (synth config `behaviour`). */
export interface PanelConfig {
  subjects: number;
  ambiguousFraction: number;
  ambiguity: readonly [number, number];
}

/**
 * The study's clip ambiguity (stream `behaviour-ambiguity` of the study's
 * root), in whole parameter groups of the audio (`groups`), so the same plan
 * drives the synthesis of the clips and the listeners' answers.
 */
export function plantStudyAmbiguity(stimGenre: number[], genres: readonly string[], cfg: PanelConfig, root: Rng, groups: number): ClipAmbiguity[] {
  const plan = { fraction: cfg.ambiguousFraction, strength: cfg.ambiguity, groups };
  return plantAmbiguity(stimGenre, plantedConfusion(genres), genres.length, plan, root.fork('behaviour-ambiguity'));
}

/**
 * The study's listener panel: the planted confusion over `genres`, each
 * clip's ambiguity (plantStudyAmbiguity) and every listener's judgements
 * (stream `behaviour/<id>`), all forked from the study's root.
 */
export function simulatePanel(
  stimGenre: number[],
  genres: readonly string[],
  cfg: PanelConfig,
  root: Rng,
  idOf: (i: number) => string,
  groups: number,
): { confusion: Float64Array; ambiguity: ClipAmbiguity[]; subjects: { id: string; trials: BehaviourTrial[]; skill: number }[] } {
  const k = genres.length;
  const confusion = plantedConfusion(genres);
  const ambiguity = plantStudyAmbiguity(stimGenre, genres, cfg, root, groups);
  const subjects = Array.from({ length: cfg.subjects }, (_, s) => {
    const id = idOf(s);
    return { id, ...simulateBehaviour(stimGenre, confusion, k, root.fork('behaviour').fork(id), ambiguity) };
  });
  return { confusion, ambiguity, subjects };
}
