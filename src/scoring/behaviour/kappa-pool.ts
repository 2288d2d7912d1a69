/**
 * Error consistency κ of the model with each listener and of listeners with
 * each other, over the clips both rated (docs/bas.md). Reported beside s_b as
 * the trial-level statistic of Geirhos et al.; s_b itself uses the graded
 * profiles, which take the model's confidence into account.
 */
import { errorConsistency } from './kappa.js';

/** Correct/incorrect of listener h (or the model when h < 0) and of `other` on the clip occurrences both rated. */
function pairedOutcomes(
  humans: Int32Array,
  nClips: number,
  trueGenre: Int32Array,
  model: Int32Array,
  h: number,
  other: number,
  clips: ArrayLike<number>,
): { a: boolean[]; b: boolean[] } {
  const a: boolean[] = [];
  const b: boolean[] = [];
  for (let i = 0; i < clips.length; i++) {
    const c = clips[i];
    const x = h < 0 ? model[c] : humans[h * nClips + c];
    const y = humans[other * nClips + c];
    if (x < 0 || y < 0) continue;
    a.push(x === trueGenre[c]);
    b.push(y === trueGenre[c]);
  }
  return { a, b };
}

/**
 * κ(m, H): weighted mean over listeners of κ(model, h); κ(H, H): weighted mean
 * over pairs of distinct listeners of κ(h, h'), pair weight w_h w_h'. Pairs
 * with an undefined κ are left out; NaN when none is defined.
 */
export function kappaSummary(
  humans: Int32Array,
  nHumans: number,
  trueGenre: Int32Array,
  model: Int32Array,
  weights: ArrayLike<number>,
  clips: ArrayLike<number>,
): { kappaModel: number; kappaHuman: number } {
  const nClips = trueGenre.length;
  let sm = 0,
    wm = 0,
    sh = 0,
    wh = 0;
  for (let h = 0; h < nHumans; h++) {
    if (!(weights[h] > 0)) continue;
    const m = pairedOutcomes(humans, nClips, trueGenre, model, -1, h, clips);
    const km = errorConsistency(m.a, m.b);
    if (Number.isFinite(km)) {
      sm += weights[h] * km;
      wm += weights[h];
    }
    for (let o = h + 1; o < nHumans; o++) {
      if (!(weights[o] > 0)) continue;
      const p = pairedOutcomes(humans, nClips, trueGenre, model, h, o, clips);
      const k = errorConsistency(p.a, p.b);
      const w = weights[h] * weights[o];
      if (Number.isFinite(k)) {
        sh += w * k;
        wh += w;
      }
    }
  }
  return { kappaModel: wm > 0 ? sm / wm : NaN, kappaHuman: wh > 0 ? sh / wh : NaN };
}
