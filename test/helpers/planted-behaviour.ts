/**
 * Planted genre-judgement data for the s_b tests: a population response model
 * with clip-level ambiguity (src/synth/behaviour.ts), listeners drawn from it,
 * and model behaviours with known human-likeness.
 */
import { Rng } from '../../src/core/prng.js';
import type { BehaviourInput } from '../../src/scoring/behaviour.js';
import { clipResponseRow, plantAmbiguity, simulateBehaviour, SKILL_RANGE, type ClipAmbiguity } from '../../src/synth/behaviour.js';

/**
 * G genres; genre g is confused with g+1 (0.20) and g+2 (0.05) modulo G, never
 * with the others, so "a genre listeners never choose" exists for every clip.
 */
export function ringConfusion(G: number): Float64Array {
  const m = new Float64Array(G * G);
  for (let g = 0; g < G; g++) {
    m[g * G + g] = 0.75;
    m[g * G + ((g + 1) % G)] = 0.2;
    m[g * G + ((g + 2) % G)] = 0.05;
  }
  return m;
}

export interface PlantedPanel {
  G: number;
  stimGenre: number[];
  confusion: Float64Array;
  ambiguity: ClipAmbiguity[];
  /** nHumans × nClips choices. */
  humans: Int32Array;
  nHumans: number;
}

/** nHumans listeners judging nClips clips (genres cycling), `fraction` of the clips ambiguous with strength in [0.3, 0.6). */
export function plantedPanel(nClips: number, nHumans: number, G: number, seed: number, fraction = 0.4): PlantedPanel {
  const rng = new Rng(seed, 'planted-panel');
  const stimGenre = Array.from({ length: nClips }, (_, i) => i % G);
  const confusion = ringConfusion(G);
  const ambiguity = plantAmbiguity(stimGenre, confusion, G, { fraction, strength: [0.3, 0.6] }, rng.fork('ambiguity'));
  const humans = new Int32Array(nHumans * nClips);
  for (let h = 0; h < nHumans; h++) {
    for (const t of simulateBehaviour(stimGenre, confusion, G, rng.fork(`listener-${h}`), ambiguity).trials) humans[h * nClips + t.stim] = t.response;
  }
  return { G, stimGenre, confusion, ambiguity, humans, nHumans };
}

/** A model's behaviour: its choice and softmax per clip. */
export interface PlantedModel {
  model: Int32Array;
  modelProbs: Float64Array;
}

export function asInput(p: PlantedPanel, m: PlantedModel, withProbs = true): BehaviourInput {
  return {
    nGenres: p.G,
    trueGenre: Int32Array.from(p.stimGenre),
    model: m.model,
    humans: p.humans,
    nHumans: p.nHumans,
    ...(withProbs ? { modelProbs: m.modelProbs } : {}),
  };
}

/** One more listener from the same response model: softmax = its response distribution, choice = one draw from it. */
export function heldOutListener(p: PlantedPanel, rng: Rng): PlantedModel {
  const skill = rng.range(SKILL_RANGE[0], SKILL_RANGE[1]);
  const n = p.stimGenre.length;
  const model = new Int32Array(n);
  const modelProbs = new Float64Array(n * p.G);
  p.stimGenre.forEach((g, c) => {
    const row = clipResponseRow(p.confusion, p.G, g, p.ambiguity[c], skill);
    modelProbs.set(row, c * p.G);
    model[c] = rng.categorical(row);
  });
  return { model, modelProbs };
}

const oneHot = (choices: Int32Array, G: number): Float64Array => {
  const p = new Float64Array(choices.length * G);
  choices.forEach((k, c) => (p[c * G + k] = 1));
  return p;
};

/** Always right, with full confidence. */
export function perfectClassifier(p: PlantedPanel): PlantedModel {
  const model = Int32Array.from(p.stimGenre);
  return { model, modelProbs: oneHot(model, p.G) };
}

/**
 * Right on a random `accuracy` share of the clips; on the others it answers,
 * with full confidence, a genre the response model gives probability 0 for
 * that clip (listeners never choose it).
 */
export function neverHumanLike(p: PlantedPanel, accuracy: number, rng: Rng): PlantedModel {
  const n = p.stimGenre.length;
  const wrong = new Set(Array.from(rng.permutation(n).subarray(0, Math.round((1 - accuracy) * n))));
  const model = Int32Array.from(
    p.stimGenre.map((g, c) => {
      if (!wrong.has(c)) return g;
      const row = clipResponseRow(p.confusion, p.G, g, p.ambiguity[c], 1);
      const never = [...row.keys()].filter((k) => row[k] === 0);
      return never[rng.int(never.length)];
    }),
  );
  return { model, modelProbs: oneHot(model, p.G) };
}

/** Random logits N(0, 1): its softmax and argmax carry nothing about the clips. */
export function randomGuesser(p: PlantedPanel, rng: Rng): PlantedModel {
  const n = p.stimGenre.length;
  const modelProbs = new Float64Array(n * p.G);
  const model = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const z = Array.from({ length: p.G }, () => Math.exp(rng.normal()));
    const s = z.reduce((a, b) => a + b, 0);
    z.forEach((v, k) => (modelProbs[c * p.G + k] = v / s));
    model[c] = z.indexOf(Math.max(...z));
  }
  return { model, modelProbs };
}
