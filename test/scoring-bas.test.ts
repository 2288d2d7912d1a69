import test from 'ava';
import { Rng } from '../src/core/prng.js';
import { InputError } from '../src/core/errors.js';
import { behaviourScore, type BehaviourInput } from '../src/scoring/behaviour.js';
import { asInput, heldOutListener, plantedPanel, randomGuesser } from './helpers/planted-behaviour.js';
import { areaRoiMatrix, correspondenceIndex, correspondenceTest, type AreaRoiInput } from '../src/scoring/correspondence.js';
import { computeBas, combineScores, hcpMmpRoiOf, BasConfigSchema, BAS_DEFAULT_PAIRS } from '../src/scoring/bas.js';

/** Listeners from the planted clip-ambiguity response model (test/helpers/planted-behaviour.ts) and a model that is one more such listener, or a guesser. */
function plantedBehaviour(nClips: number, nHumans: number, G: number, seed: number, model: 'listener' | 'guess' = 'listener'): BehaviourInput {
  const panel = plantedPanel(nClips, nHumans, G, seed);
  const rng = new Rng(seed, 'planted-model');
  return asInput(panel, model === 'listener' ? heldOutListener(panel, rng) : randomGuesser(panel, rng));
}

test('s_b: a model that behaves like one more listener scores ≈ 1; a guessing model scores ≈ 0', (t) => {
  const human = behaviourScore(plantedBehaviour(300, 12, 5, 1));
  const guess = behaviourScore(plantedBehaviour(300, 12, 5, 1, 'guess'));
  t.log(`listener-like s_b ${human.sB.toFixed(3)}, guessing s_b ${guess.sB.toFixed(3)}`);
  t.true(Math.abs(human.sB - 1) < 0.1, `listener-like ${human.sB}`);
  t.true(Math.abs(guess.sB) < 0.15, `guessing ${guess.sB}`);
});

test('combination rules: mean, weighted mean, weighted geometric mean', (t) => {
  t.is(combineScores(0.6, 0.4, { combine: 'mean', weights: { neural: 1, behaviour: 1 } }), 0.5);
  t.true(Math.abs(combineScores(0.6, 0.4, { combine: 'weighted', weights: { neural: 3, behaviour: 1 } }) - 0.55) < 1e-12);
  t.true(Math.abs(combineScores(0.6, 0.4, { combine: 'geometric', weights: { neural: 1, behaviour: 1 } }) - Math.sqrt(0.24)) < 1e-12);
  t.true(Math.abs(combineScores(0.8, 0.2, { combine: 'geometric', weights: { neural: 1, behaviour: 3 } }) - Math.exp((Math.log(0.8) + 3 * Math.log(0.2)) / 4)) < 1e-12);
  t.is(combineScores(0.6, 0, { combine: 'geometric', weights: { neural: 1, behaviour: 1 } }), 0);
});

test('HCP-MMP parcels map to the BAS ROIs', (t) => {
  t.is(hcpMmpRoiOf('L_A1_ROI'), 'A1');
  t.is(hcpMmpRoiOf('R_PBelt_ROI'), 'Belt');
  t.is(hcpMmpRoiOf('A4'), 'Parabelt');
  t.is(hcpMmpRoiOf('L_STSvp_ROI'), 'T2/T3');
  t.is(hcpMmpRoiOf('A5'), 'T2/T3');
  t.is(hcpMmpRoiOf('L_V1_ROI'), null);
});

/**
 * 4 areas × 4 ROIs of 80 voxels, every voxel with reliability 0.64 (r ceiling 0.8).
 * Area a predicts ROI target[a] at r ≈ 0.4 and the others at r ≈ 0.2.
 */
function plantedNeural(target: number[], rng: Rng): AreaRoiInput {
  const areas = ['A1', 'Belt', 'PB', 'T2/T3'];
  const rois = ['A1', 'Belt', 'Parabelt', 'T2/T3'];
  const perRoi = 80;
  const V = perRoi * 4;
  const roiOfVoxel = Int32Array.from({ length: V }, (_, v) => Math.floor(v / perRoi));
  const r = new Float32Array(4 * V);
  for (let a = 0; a < 4; a++) for (let v = 0; v < V; v++) r[a * V + v] = (roiOfVoxel[v] === target[a] ? 0.4 : 0.2) + 0.05 * rng.normal();
  return { areas, rois, r, nVoxels: V, roiOfVoxel, reliability: new Float32Array(V).fill(0.64) };
}

test('correspondence: a planted diagonal is detected (p < 0.01); a shuffled (derangement) one is rejected', (t) => {
  const diag = plantedNeural([0, 1, 2, 3], new Rng(2));
  const m = areaRoiMatrix(diag);
  // Normalised cells: 0.4/0.8 = 0.5 on the diagonal, 0.2/0.8 = 0.25 off it.
  t.true(Math.abs(m.normalised[0] - 0.5) < 0.02 && Math.abs(m.normalised[1] - 0.25) < 0.02);
  t.true(Math.abs(m.ceilings[0].value - 0.8) < 1e-6 && m.ceilings[0].kind === 'r');
  const pairs: [number, number][] = [[0, 0], [1, 1], [2, 2], [3, 3]];
  const good = correspondenceTest(diag, pairs, { rng: new Rng(3), nPerm: 199 });
  t.is(good.ownRoiBest, 1);
  t.is(good.ownAreaBest, 1);
  t.true(Math.abs(good.contrast - 0.25) < 0.02);
  t.is(good.p, 1 / 200);
  const shuffled = correspondenceTest(plantedNeural([1, 2, 3, 0], new Rng(2)), pairs, { rng: new Rng(3), nPerm: 199 });
  t.is(shuffled.ownRoiBest, 0);
  t.true(shuffled.contrast < 0);
  t.true(shuffled.p > 0.5, `p ${shuffled.p}`);
  // Index on a hand matrix: row 1's own ROI (0.3) loses to 0.4 → ownRoiBest 1/2; contrast (0.9+0.3)/2 − (0.4+0.1)/2 = 0.35.
  const hand = correspondenceIndex(Float64Array.from([0.9, 0.1, 0.4, 0.3]), 2, [[0, 0], [1, 1]]);
  t.is(hand.ownRoiBest, 0.5);
  t.is(hand.ownAreaBest, 1);
  t.true(Math.abs(hand.contrast - 0.35) < 1e-12);
});

test('BAS end to end: s_r ≈ 0.5 planted, s_b ≈ 1, BAS = mean, CIs bracket the estimates, seeded reproducibility', (t) => {
  const neural = plantedNeural([0, 1, 2, 3], new Rng(4));
  const behaviour = plantedBehaviour(200, 10, 5, 5);
  const rep = computeBas(neural, behaviour, { nBoot: 200, nPerm: 99 }, new Rng(6));
  t.true(Math.abs(rep.sR.estimate - 0.5) < 0.02, `s_r ${rep.sR.estimate}`);
  t.true(rep.sR.lo <= 0.5 && 0.5 <= rep.sR.hi + 0.005, `s_r CI [${rep.sR.lo}, ${rep.sR.hi}]`);
  t.true(Math.abs(rep.sB.estimate - 1) < 0.1, `s_b ${rep.sB.estimate}`);
  t.true(rep.sB.lo <= 1 && 1 <= rep.sB.hi, `s_b CI [${rep.sB.lo}, ${rep.sB.hi}] (listeners and clips resampled jointly)`);
  t.is(rep.bas.estimate, (rep.sR.estimate + rep.sB.estimate) / 2);
  for (const e of [rep.sR, rep.sB, rep.bas]) t.true(e.lo <= e.estimate + 1e-9 && e.estimate <= e.hi + 0.02 && e.se > 0);
  t.is(rep.matrix.values.length, 16);
  t.deepEqual(rep.pairScores.map((p) => p.roi), BAS_DEFAULT_PAIRS.map((p) => p.roi));
  t.is(rep.correspondence?.p, 1 / 100);
  const again = computeBas(neural, behaviour, { nBoot: 200, nPerm: 99 }, new Rng(6));
  t.deepEqual(again.sR, rep.sR);
  t.deepEqual(again.sB, rep.sB);
  t.deepEqual(again.bas, rep.bas);
  const geo = computeBas(neural, behaviour, { nBoot: 50, nPerm: 0, combine: 'geometric' }, new Rng(6));
  t.true(Math.abs(geo.bas.estimate - Math.sqrt(geo.sR.estimate * geo.sB.estimate)) < 1e-12);
  t.is(geo.correspondence, null);
});

test('bad BAS configuration is an InputError naming the problem', (t) => {
  const neural = plantedNeural([0, 1, 2, 3], new Rng(4));
  const behaviour = plantedBehaviour(20, 3, 5, 5);
  t.throws(() => computeBas(neural, behaviour, { pairs: [{ area: 'V1', roi: 'A1' }], nBoot: 10, nPerm: 0 }, new Rng(1)), { instanceOf: InputError, message: /V1/ });
  t.throws(() => computeBas(neural, behaviour, { clip: { lo: 1, hi: 0 }, nBoot: 10 }, new Rng(1)), { instanceOf: InputError, message: /clip/ });
  t.is(BasConfigSchema.parse({}).combine, 'mean');
});
