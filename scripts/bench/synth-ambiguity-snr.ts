/**
 * Does the audio carry the planted clip ambiguity? The default mini-study's
 * clips are synthesised twice, with and without the ambiguous clips borrowing
 * traits from their partner genre, and a cheap audio model (clip statistics of
 * clip-vector.ts, z-scored; softmax over negative squared distances to the
 * genre centroids, leave one clip out) judges every clip. Reported: its
 * accuracy, its mean probability of the partner genre on the ambiguous clips
 * (blended vs not: the acoustic effect of the plan), and its s_b against the
 * study's listeners. Usage: npx tsx scripts/bench/synth-ambiguity-snr.ts [seed...]
 */
import { Rng } from '../../src/core/prng.js';
import { behaviourScore } from '../../src/scoring/behaviour.js';
import { simulatePanel } from '../../src/synth/behaviour.js';
import { defaultSynthConfig } from '../../src/synth/config.js';
import { BLEND_GROUPS } from '../../src/synth/music.js';
import { makeStimuli, subjectId } from '../../src/synth/study.js';
import { clipVector } from './clip-vector.js';
import { leaveOneOutCentroidDistances } from './centroid-distances.js';

/** Leave-one-clip-out centroid softmax: row c = P(k | clip c), logits = −(squared distance) / feature count. */
function centroidSoftmax(vecs: number[][], labels: number[], k: number): Float64Array {
  const d = vecs[0].length;
  const out = new Float64Array(vecs.length * k);
  leaveOneOutCentroidDistances(vecs, labels, k).forEach((dist, i) => {
    const logit = dist.map((x) => -x / d);
    const top = Math.max(...logit);
    const e = logit.map((l) => Math.exp(l - top));
    const tot = e.reduce((a, b) => a + b, 0);
    e.forEach((v, g) => (out[i * k + g] = v / tot));
  });
  return out;
}

const seeds = process.argv.slice(2).map(Number);
const cfg = defaultSynthConfig();
const genres = cfg.stimuli.genres;
const G = genres.length;
for (const seed of seeds.length ? seeds : [0]) {
  const root = new Rng(seed, 'synth');
  const stimGenre = genres.flatMap((_, g) => Array.from({ length: cfg.stimuli.clipsPerGenre }, () => g));
  const panel = simulatePanel(stimGenre, genres, cfg.behaviour, root, subjectId, BLEND_GROUPS.length);
  const C = stimGenre.length;
  const H = panel.subjects.length;
  const humans = new Int32Array(H * C);
  panel.subjects.forEach((s, h) => s.trials.forEach((tr) => (humans[h * C + tr.stim] = tr.response)));
  const amb = panel.ambiguity.map((a, c) => ({ ...a, c })).filter((a) => a.partner >= 0);
  for (const blended of [false, true]) {
    const t0 = Date.now();
    const { stimuli } = makeStimuli(cfg, root.fork('stimuli'), blended ? panel.ambiguity : undefined);
    const p = centroidSoftmax(
      stimuli.map((s) => clipVector(s.audio, cfg.stimuli.sampleRate)),
      stimGenre,
      G,
    );
    const model = Int32Array.from(stimGenre, (_, c) => {
      let best = 0;
      for (let k = 1; k < G; k++) if (p[c * G + k] > p[c * G + best]) best = k;
      return best;
    });
    const acc = model.reduce((s, m, c) => s + (m === stimGenre[c] ? 1 : 0), 0) / C;
    const pPartner = amb.reduce((s, a) => s + p[a.c * G + a.partner], 0) / amb.length;
    const toPartner = amb.filter((a) => model[a.c] === a.partner).length;
    const sb = behaviourScore({ nGenres: G, trueGenre: Int32Array.from(stimGenre), model, modelProbs: p, humans, nHumans: H });
    console.log(
      `seed ${seed}, ${blended ? 'blended' : 'plain  '} audio: accuracy ${acc.toFixed(3)}; ambiguous clips (${amb.length}): mean P(partner) ${pPartner.toFixed(3)}, ` +
        `${toPartner} chosen as the partner; s_b ${sb.sB.toFixed(3)} (difficulty ${sb.difficultyScore.toFixed(3)}, error ${sb.errorScore.toFixed(3)}) [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
    );
  }
}
