/**
 * Genre judgements. Responses are drawn from a planted confusion matrix in
 * which the diagonal holds ~70 % and the known human confusions (rock↔metal,
 * jazz↔blues, disco↔pop, plus weaker country↔rock, pop↔hiphop, reggae↔hiphop)
 * take most of the rest; each subject's diagonal is scaled by a skill factor.
 */
import { Rng } from '../core/prng.js';

const CONFUSIONS: [string, string, number][] = [
  ['rock', 'metal', 0.14], ['metal', 'rock', 0.16],
  ['jazz', 'blues', 0.12], ['blues', 'jazz', 0.14],
  ['disco', 'pop', 0.15], ['pop', 'disco', 0.12],
  ['country', 'rock', 0.08], ['rock', 'country', 0.05],
  ['pop', 'hiphop', 0.05], ['hiphop', 'pop', 0.06],
  ['reggae', 'hiphop', 0.06], ['blues', 'rock', 0.05],
  ['classical', 'jazz', 0.04], ['country', 'blues', 0.05],
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

export interface BehaviourTrial {
  stim: number;
  trueGenre: number;
  response: number;
  /** Response time, seconds after clip offset. */
  rt: number;
}

/**
 * One subject's judgements of every stimulus (in a shuffled order). The
 * subject's confusion row i is the planted row with its diagonal multiplied
 * by `skill` ∈ (0.8, 1.15) and renormalised. Returns trials in presentation order.
 */
export function simulateBehaviour(stimGenre: number[], confusion: Float64Array, k: number, rng: Rng): { trials: BehaviourTrial[]; skill: number } {
  const skill = rng.range(0.8, 1.15);
  const order = rng.permutation(stimGenre.length);
  const trials: BehaviourTrial[] = [];
  for (const s of order) {
    const g = stimGenre[s];
    const row = Array.from(confusion.subarray(g * k, (g + 1) * k));
    row[g] *= skill;
    const response = rng.categorical(row);
    // Log-normal RTs, slower on errors.
    const rt = Math.exp(Math.log(1.1) + 0.35 * rng.normal()) * (response === g ? 1 : 1.25);
    trials.push({ stim: s, trueGenre: g, response, rt });
  }
  return { trials, skill };
}
