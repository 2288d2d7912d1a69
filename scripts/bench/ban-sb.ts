/**
 * s_b of a trained network on a synthetic study's listeners, beside the
 * reference models on the same held-out clips: the planted per-clip response
 * distribution (behaviour_clips.tsv, ≈ 1 by construction), the network's
 * untrained epoch-0 checkpoint, random logits and a perfect classifier; each
 * with a percentile bootstrap CI over listeners and clips (1000 draws).
 * Usage: npx tsx scripts/bench/ban-sb.ts TRAIN_ARTIFACT STUDY_ROOT
 */
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { quantileSorted7 } from '../../src/stats/bootstrap.js';
import { readTsv } from '../../src/io/tsv.js';
import { behaviourInput, readHumanChoices } from '../../src/scoring/align.js';
import { behaviourScore, resampleBehaviour } from '../../src/scoring/behaviour.js';
import { modelChoices } from '../../src/scoring/model-choices.js';

const [trainDir, study] = process.argv.slice(2);
const humans = readHumanChoices(study);
// The train stage wrote every saved checkpoint's per-clip predictions; both are read on the held-out clips.
const trained = modelChoices(trainDir, null);
const test: Set<string> | null = new Set(trained.choices.keys());

function scored(name: string, choices: Map<string, string>, probs: Map<string, Map<string, number>> | null): void {
  const keep = (id: string): boolean => !test || test.has(id);
  const ch = new Map([...choices].filter(([id]) => keep(id)));
  const b = behaviourInput(ch, humans, probs);
  const full = behaviourScore(b.input);
  const rng = new Rng(1, `ban-sb/${name}`);
  const splits = new Rng(2, `ban-sb/${name}/splits`);
  const reps = Array.from({ length: 1000 }, () => behaviourScore(b.input, { ...resampleBehaviour(b.input.nHumans, b.clips.length, rng), rng: splits }).sB)
    .filter(Number.isFinite)
    .sort((x, y) => x - y);
  console.log(
    `${name.padEnd(28)} accuracy ${full.accuracyModel.toFixed(2)}  s_b ${full.sB.toFixed(3)} [${quantileSorted7(reps, 0.025).toFixed(3)}, ${quantileSorted7(reps, 0.975).toFixed(3)}]  (difficulty ${full.difficultyScore.toFixed(3)}, error ${full.errorScore.toFixed(3)}; ${b.clips.length} clips)`,
  );
}

function fromRows(make: (trueGenre: string, row: Record<string, string>, genres: string[]) => Map<string, number>): {
  choices: Map<string, string>;
  probs: Map<string, Map<string, number>>;
} {
  const t = readTsv(path.join(study, 'derivatives', 'synth-truth', 'behaviour_clips.tsv'));
  const genres = t.columns.filter((c) => c.startsWith('p_')).map((c) => c.slice(2));
  const probs = new Map(t.rows.map((r) => [r.stim_id, make(r.true_genre, r, genres)]));
  const choices = new Map([...probs].map(([id, p]) => [id, [...p].reduce((a, b) => (b[1] > a[1] ? b : a))[0]]));
  return { choices, probs };
}

scored('trained (eval/predictions)', trained.choices, trained.probs);
const untrained = modelChoices(trainDir, 'epoch-0000');
scored('untrained (epoch-0000)', untrained.choices, untrained.probs);
const planted = fromRows((_, r, genres) => new Map(genres.map((g) => [g, Number(r[`p_${g}`])])));
scored('planted response distribution', planted.choices, planted.probs);
const rr = new Rng(3, 'ban-sb/random');
const random = fromRows((_, __, genres) => {
  const e = genres.map(() => Math.exp(2 * rr.normal()));
  const s = e.reduce((a, b) => a + b, 0);
  return new Map(genres.map((g, k) => [g, e[k] / s]));
});
scored('random logits', random.choices, random.probs);
const perfect = fromRows((tg, _, genres) => new Map(genres.map((g) => [g, g === tg ? 1 : 0])));
scored('perfect classifier', perfect.choices, perfect.probs);
