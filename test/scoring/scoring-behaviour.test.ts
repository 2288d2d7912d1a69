/**
 * s_b measures how human-like a model's genre judgements are, not how
 * accurate: planted listeners with clip-level ambiguity (some clips mistakable
 * for one partner genre) against models whose human-likeness is known, and
 * every statistic against hand values and an independent numpy computation.
 */
import test from 'ava';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { quantileSorted7 } from '../../src/stats/bootstrap.js';
import { behaviourScore, resampleBehaviour, type BehaviourInput, type BehaviourScore } from '../../src/scoring/behaviour.js';
import { halfSplits, poolReliability, spearmanBrown } from '../../src/scoring/behaviour/ceiling.js';
import { errorConsistency } from '../../src/scoring/behaviour/kappa.js';
import { clipResponseRow, simulatePanel } from '../../src/synth/behaviour.js';
import { BLEND_GROUPS } from '../../src/synth/music.js';
import { defaultSynthConfig } from '../../src/synth/config.js';
import { subjectId } from '../../src/synth/study.js';
import { pyStdin } from '../helpers/python.js';
import { asInput, heldOutListener, neverHumanLike, perfectClassifier, plantedPanel, randomGuesser } from '../helpers/planted-behaviour.js';

const bools = (s: string): boolean[] => [...s].map((c) => c === '1');

test('error consistency κ: hand case 7/15; equals numpy on random observer pairs; undefined when nothing can disagree', (t) => {
  // c_obs = 6/8; p1 = p2 = 5/8 → c_exp = 25/64 + 9/64 = 34/64; κ = (48/64 − 34/64)/(30/64) = 14/30.
  t.true(Math.abs(errorConsistency(bools('11001011'), bools('10011011')) - 7 / 15) < 1e-12);
  const rng = new Rng(11, 'kappa');
  const pairs = Array.from({ length: 20 }, () => {
    const a = Array.from({ length: 30 }, () => rng.uniform() < 0.7);
    const b = a.map((x) => (rng.uniform() < 0.6 ? x : rng.uniform() < 0.5));
    return { a, b };
  });
  const ref = pyStdin<number[]>(
    `
import sys, json, numpy as np
out = []
for p in json.load(sys.stdin):
    a = np.array(p['a'], bool); b = np.array(p['b'], bool)
    p1, p2 = a.mean(), b.mean()
    cexp = p1 * p2 + (1 - p1) * (1 - p2)
    out.append(float(((a == b).mean() - cexp) / (1 - cexp)))
print(json.dumps(out))`,
    pairs,
  );
  pairs.forEach((p, i) => t.true(Math.abs(errorConsistency(p.a, p.b) - ref[i]) < 1e-12, `pair ${i}`));
  t.true(Number.isNaN(errorConsistency(bools('1111'), bools('1111'))), 'both never err');
  t.true(Number.isNaN(errorConsistency([], [])));
});

test('Spearman–Brown ceiling: equal halves give 2r/(1+r) and ρ1 = r/(n − (n−1)r); unequal halves invert the parallel-listener model', (t) => {
  for (const r of [0.1, 0.45, 0.8]) {
    const eq = poolReliability(r, 1, 1);
    t.true(Math.abs(eq.pool - (2 * r) / (1 + r)) < 1e-9);
    const six = poolReliability(r, 6, 6);
    t.true(Math.abs(six.single - r / (6 - 5 * r)) < 1e-9);
    t.true(Math.abs(six.pool - spearmanBrown(six.single, 12)) < 1e-12);
    const uneq = poolReliability(r, 1, 2);
    t.true(Math.abs(Math.sqrt(spearmanBrown(uneq.single, 1) * spearmanBrown(uneq.single, 2)) - r) < 1e-9);
  }
  t.true(Number.isNaN(poolReliability(-0.1, 3, 3).pool), 'no positive split-half agreement → no ceiling');
  // 3 listeners: all 3 splits {1}|{2}; 12 listeners: C(12, 6) = 924 > 100 → 100 seeded random ones.
  t.is(halfSplits(3, 1, 100, new Rng(1)).length, 3);
  const many = halfSplits(12, 6, 100, new Rng(1));
  t.is(many.length, 100);
  t.true(many.every((m) => m.reduce((a, b) => a + b, 0) === 6));
});

test('profiles, κ and the split-half ceiling on a small case equal an independent numpy computation (4 listeners → all 6 splits, one missing rating)', (t) => {
  // 6 clips, 3 genres; the model's softmax is given.
  const b: BehaviourInput = {
    nGenres: 3,
    trueGenre: Int32Array.from([0, 0, 1, 1, 2, 2]),
    model: Int32Array.from([0, 1, 1, 1, 2, 0]),
    modelProbs: Float64Array.from([0.7, 0.2, 0.1, 0.4, 0.5, 0.1, 0.1, 0.8, 0.1, 0.2, 0.6, 0.2, 0.1, 0.1, 0.8, 0.5, 0.1, 0.4]),
    humans: Int32Array.from([0, 1, 1, 1, 2, 0, 0, 0, 1, 2, 2, 0, 0, 1, 1, 0, 2, 2, 0, 1, 1, 1, 2, -1]),
    nHumans: 4,
  };
  const s = behaviourScore(b);
  const ref = pyStdin<Record<string, number>>(
    `
import sys, json, itertools, numpy as np
d = json.load(sys.stdin)
G, H = d['G'], d['H']
g = np.array(d['true']); C = len(g)
P = np.array(d['probs']).reshape(C, G)
hum = np.array(d['humans']).reshape(H, C)
def pool(ids):
    q = np.zeros((C, G)); n = np.zeros(C)
    for h in ids:
        for c in range(C):
            if hum[h, c] >= 0: q[c, hum[h, c]] += 1; n[c] += 1
    return q / n[:, None]
off = np.ones((C, G), bool); off[np.arange(C), g] = False
diff = lambda q: q[np.arange(C), g]
err = lambda q: q[off]
def r(x, y): return float(np.corrcoef(x, y)[0, 1])
Q = pool(range(H))
rD, rE = r(diff(P), diff(Q)), r(err(P), err(Q))
hD, hE = [], []
for A in itertools.combinations(range(H), H // 2):
    B = [h for h in range(H) if h not in A]
    qa, qb = pool(A), pool(B)
    hD.append(r(diff(qa), diff(qb))); hE.append(r(err(qa), err(qb)))
mD, mE = np.mean(hD), np.mean(hE)
rhoD, rhoE = 2 * mD / (1 + mD), 2 * mE / (1 + mE)
def kappa(a, b):
    p1, p2 = a.mean(), b.mean(); ce = p1 * p2 + (1 - p1) * (1 - p2)
    return ((a == b).mean() - ce) / (1 - ce)
model = np.array(d['model'])
km = np.mean([kappa((model == g)[hum[h] >= 0], (hum[h] == g)[hum[h] >= 0]) for h in range(H)])
kh = np.mean([kappa((hum[i] == g)[(hum[i] >= 0) & (hum[j] >= 0)], (hum[j] == g)[(hum[i] >= 0) & (hum[j] >= 0)]) for i, j in itertools.combinations(range(H), 2)])
print(json.dumps(dict(rD=rD, rE=rE, rhoD=rhoD, rhoE=rhoE, sB=0.5 * (rD / np.sqrt(rhoD) + rE / np.sqrt(rhoE)), km=km, kh=kh,
    accH=float((hum == g).sum() / (hum >= 0).sum()))))`,
    { G: 3, H: 4, true: [...b.trueGenre], probs: [...(b.modelProbs ?? [])], humans: [...b.humans], model: [...b.model] },
  );
  t.log(
    `r_D ${s.difficultyModel.toFixed(4)} ρ_D ${s.difficultyCeiling.toFixed(4)} r_E ${s.errorModel.toFixed(4)} ρ_E ${s.errorCeiling.toFixed(4)} s_b ${s.sB.toFixed(4)}`,
  );
  const close = (a: number, x: number, what: string): void => {
    t.true(Math.abs(a - x) < 1e-9, `${what}: ${a} vs numpy ${x}`);
  };
  close(s.difficultyModel, ref.rD, 'r_D');
  close(s.errorModel, ref.rE, 'r_E');
  close(s.difficultyCeiling, ref.rhoD, 'ρ_D');
  close(s.errorCeiling, ref.rhoE, 'ρ_E');
  close(s.sB, ref.sB, 's_b');
  close(s.kappaModel, ref.km, 'κ(m,H)');
  close(s.kappaHuman, ref.kh, 'κ(H,H)');
  close(s.accuracyHuman, ref.accH, 'human accuracy');
  t.is(s.accuracyModel, 4 / 6);
  t.false(s.fromChoices);
});

/** Percentile 95 % interval of s_b over joint listener × clip resamples. */
function bootstrapSb(b: BehaviourInput, nBoot: number, seed: number): { lo: number; hi: number } {
  const rng = new Rng(seed, 'sb-boot');
  const splits = rng.fork('splits');
  const reps: number[] = [];
  for (let i = 0; i < nBoot; i++) {
    const s = behaviourScore(b, { ...resampleBehaviour(b.nHumans, b.trueGenre.length, rng), rng: splits, nSplits: 30 }).sB;
    if (Number.isFinite(s)) reps.push(s);
  }
  reps.sort((x, y) => x - y);
  return { lo: quantileSorted7(reps, 0.025), hi: quantileSorted7(reps, 0.975) };
}

test('planted: a held-out listener from the same response model scores s_b ≈ 1 (CI over listeners × clips contains 1); perfect, never-human-like and random models score ≈ 0', (t) => {
  // 100 clips of 5 genres, 40 % ambiguous; 12 listeners.
  const panel = plantedPanel(100, 12, 5, 21);
  const rng = new Rng(21, 'models');
  const listener = asInput(panel, heldOutListener(panel, rng.fork('listener')));
  const perfect = behaviourScore(asInput(panel, perfectClassifier(panel)));
  const never = behaviourScore(asInput(panel, neverHumanLike(panel, 0.56, rng.fork('never'))));
  const guess = behaviourScore(asInput(panel, randomGuesser(panel, rng.fork('guess'))));
  const l = behaviourScore(listener);
  const ci = bootstrapSb(listener, 200, 3);
  t.log(
    `listener s_b ${l.sB.toFixed(3)} [${ci.lo.toFixed(3)}, ${ci.hi.toFixed(3)}] (ρ_D ${l.difficultyCeiling.toFixed(2)}, ρ_E ${l.errorCeiling.toFixed(2)}); perfect ${perfect.sB.toFixed(3)} (accuracy ${perfect.accuracyModel}); never-human-like ${never.sB.toFixed(3)} (accuracy ${never.accuracyModel.toFixed(2)}, κ ${never.kappaModel.toFixed(3)}); random ${guess.sB.toFixed(3)}; listeners' accuracy ${l.accuracyHuman.toFixed(2)}`,
  );
  t.true(Math.abs(l.sB - 1) < 0.1, `listener ${l.sB}`);
  t.true(ci.lo <= 1 && 1 <= ci.hi, `listener CI [${ci.lo}, ${ci.hi}]`);
  // Always right and fully confident: no clip is harder than another, no error goes anywhere.
  t.is(perfect.accuracyModel, 1);
  t.is(perfect.sB, 0);
  // 56 % right (listeners ≈ 60 %), errors on random clips to genres listeners never choose.
  t.is(never.accuracyModel, 0.56);
  t.true(never.sB < 0.1, `never-human-like ${never.sB}`);
  t.true(never.errorScore < 0, `its errors go where listeners' never do: ${never.errorScore}`);
  t.true(Math.abs(guess.sB) < 0.15, `random ${guess.sB}`);
  for (const other of [perfect, never, guess]) t.true(other.sB < ci.lo, 'every non-human-like model is below the listener CI');
});

test('over seeds: held-out listener s_b averages 1.00 ± 0.03 with its softmax and ≈ 1 from its single choices (ceiling √(ρ1 ρ)); random guessing averages ≈ 0', (t) => {
  const soft: number[] = [];
  const hard: number[] = [];
  const rand: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const panel = plantedPanel(150, 16, 5, 100 + seed);
    const rng = new Rng(seed, 'seeds');
    const m = heldOutListener(panel, rng.fork('listener'));
    soft.push(behaviourScore(asInput(panel, m)).sB);
    const h = behaviourScore(asInput(panel, m, false));
    t.true(h.fromChoices);
    hard.push(h.sB);
    rand.push(behaviourScore(asInput(panel, randomGuesser(panel, rng.fork('guess')))).sB);
  }
  const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;
  t.log(`softmax ${mean(soft).toFixed(3)}, choices ${mean(hard).toFixed(3)} (${hard.map((x) => x.toFixed(2)).join(' ')}), random ${mean(rand).toFixed(3)}`);
  t.true(Math.abs(mean(soft) - 1) < 0.03, `softmax ${mean(soft)}`);
  t.true(Math.abs(mean(hard) - 1) < 0.15, `choices ${mean(hard)}`);
  t.true(Math.abs(mean(rand)) < 0.07, `random ${mean(rand)}`);
});

test('bootstrap listener draws: copies of one listener stay in one half, so a draw of a single listener has no ceiling; bad input is an InputError', (t) => {
  const panel = plantedPanel(40, 6, 5, 4);
  const b = asInput(panel, heldOutListener(panel, new Rng(4)));
  const one = behaviourScore(b, { listeners: [2, 2, 2, 2, 2, 2] });
  t.true(Number.isNaN(one.difficultyCeiling) && Number.isNaN(one.sB));
  // Listener and clip resamples are deterministic given the seed.
  t.deepEqual(behaviourScore(b, resampleBehaviour(6, 40, new Rng(9))), behaviourScore(b, resampleBehaviour(6, 40, new Rng(9))));
  const bad = { ...b, modelProbs: new Float64Array(b.trueGenre.length * b.nGenres).fill(0.5) };
  t.throws(() => behaviourScore(bad), { instanceOf: InputError, message: /sum to/ });
  t.throws(() => behaviourScore({ ...b, humans: b.humans.subarray(0, 40), nHumans: 1 }), { instanceOf: InputError, message: /at least 2 listeners/ });
});

test('the default mini-study’s listeners (seed 0: 20 listeners, 80 clips, 30 % ambiguous): a model outputting the planted per-clip distribution scores ≈ 1, one that knows only the genre-level confusions ≈ 0.4, a perfect classifier 0', (t) => {
  const cfg = defaultSynthConfig();
  const G = cfg.stimuli.genres.length;
  // Same streams as simulateStudy: clips genre-major, the panel forked from Rng(seed, 'synth').
  const stimGenre = cfg.stimuli.genres.flatMap((_, g) => Array.from({ length: cfg.stimuli.clipsPerGenre }, () => g));
  const panel = simulatePanel(stimGenre, cfg.stimuli.genres, cfg.behaviour, new Rng(0, 'synth'), subjectId, BLEND_GROUPS.length);
  const C = stimGenre.length;
  const H = panel.subjects.length;
  const humans = new Int32Array(H * C);
  panel.subjects.forEach((s, h) => s.trials.forEach((tr) => (humans[h * C + tr.stim] = tr.response)));
  const score = (row: (g: number, c: number) => ArrayLike<number>): BehaviourScore => {
    const p = new Float64Array(C * G);
    stimGenre.forEach((g, c) => p.set(row(g, c), c * G));
    const model = Int32Array.from(stimGenre, (_, c) => {
      let best = 0;
      for (let k = 1; k < G; k++) if (p[c * G + k] > p[c * G + best]) best = k;
      return best;
    });
    return behaviourScore({ nGenres: G, trueGenre: Int32Array.from(stimGenre), model, modelProbs: p, humans, nHumans: H });
  };
  const ideal = score((g, c) => clipResponseRow(panel.confusion, G, g, panel.ambiguity[c], 1));
  const genreLevel = score((g) => panel.confusion.subarray(g * G, (g + 1) * G));
  const perfect = score((g) => Float64Array.from({ length: G }, (_, k) => (k === g ? 1 : 0)));
  t.log(
    `ideal ${ideal.sB.toFixed(3)} (ρ_D ${ideal.difficultyCeiling.toFixed(3)}, ρ_E ${ideal.errorCeiling.toFixed(3)}), genre-level ${genreLevel.sB.toFixed(3)}, perfect ${perfect.sB}; listeners' accuracy ${ideal.accuracyHuman.toFixed(3)}`,
  );
  t.true(Math.abs(ideal.sB - 1) < 0.1, `ideal ${ideal.sB}`);
  t.true(genreLevel.sB > 0.2 && genreLevel.sB < 0.6, `genre-level ${genreLevel.sB}`);
  t.is(genreLevel.difficultyModel < ideal.difficultyModel, true, 'clip ambiguity is what the genre-level model misses');
  t.is(perfect.sB, 0);
});
