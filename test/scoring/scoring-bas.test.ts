import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { behaviourScore, type BehaviourInput } from '../../src/scoring/behaviour.js';
import { asInput, heldOutListener, plantedPanel, randomGuesser } from '../helpers/planted-behaviour.js';
import { areaRoiMatrix, correspondenceIndex, correspondenceTest, type AreaRoiInput } from '../../src/scoring/correspondence.js';
import { computeBas, combineScores, hcpMmpRoiOf, BasConfigSchema, BAS_DEFAULT_PAIRS } from '../../src/scoring/bas.js';
import { stimulusReplicate } from '../../src/scoring/neural-score.js';
import { clipOfVolumes } from '../../src/scoring/align.js';
import { pyStdin as py } from '../helpers/python.js';

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
  t.true(
    Math.abs(combineScores(0.8, 0.2, { combine: 'geometric', weights: { neural: 1, behaviour: 3 } }) - Math.exp((Math.log(0.8) + 3 * Math.log(0.2)) / 4)) <
      1e-12,
  );
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
  // Descriptive matrix (area_roi.tsv): 0.4/0.8 = 0.5 on the diagonal, 0.2/0.8 = 0.25 off it.
  t.true(Math.abs(m.normalised[0] - 0.5) < 0.02 && Math.abs(m.normalised[1] - 0.25) < 0.02);
  t.true(Math.abs(m.ceilings[0].value - 0.8) < 1e-6 && m.ceilings[0].kind === 'r');
  const pairs: [number, number][] = [
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 3],
  ];
  const good = correspondenceTest(diag, pairs, { rng: new Rng(3), nPerm: 199 });
  t.is(good.ownRoiBest, 1);
  t.is(good.ownAreaBest, 1);
  // The test runs on the s_r cells, median r²/ρ: 0.16/0.64 = 0.25 on the diagonal, 0.04/0.64 = 0.0625 off it.
  t.true(Math.abs(good.contrast - 0.1875) < 0.02, `contrast ${good.contrast}`);
  t.is(good.p, 1 / 200);
  const shuffled = correspondenceTest(plantedNeural([1, 2, 3, 0], new Rng(2)), pairs, { rng: new Rng(3), nPerm: 199 });
  t.is(shuffled.ownRoiBest, 0);
  t.true(shuffled.contrast < 0);
  t.true(shuffled.p > 0.5, `p ${shuffled.p}`);
  // Index on a hand matrix: row 1's own ROI (0.3) loses to 0.4 → ownRoiBest 1/2; contrast (0.9+0.3)/2 − (0.4+0.1)/2 = 0.35.
  const hand = correspondenceIndex(Float64Array.from([0.9, 0.1, 0.4, 0.3]), 2, [
    [0, 0],
    [1, 1],
  ]);
  t.is(hand.ownRoiBest, 0.5);
  t.is(hand.ownAreaBest, 1);
  t.true(Math.abs(hand.contrast - 0.35) < 1e-12);
});

test('BAS end to end: planted s_r = ½(0.25 + 0.1875) = 0.219, s_b ≈ 1, BAS = mean, CIs bracket the estimates, seeded reproducibility', (t) => {
  const neural = plantedNeural([0, 1, 2, 3], new Rng(4));
  const behaviour = plantedBehaviour(200, 10, 5, 5);
  const rep = computeBas(neural, behaviour, { nBoot: 200, nPerm: 99 }, new Rng(6));
  // level 0.4²/0.64 = 0.25, specificity 0.25 − 0.2²/0.64 = 0.1875 (plus E[noise²]/0.64 ≈ 0.004 in each cell).
  t.true(Math.abs(rep.sR.estimate - 0.219) < 0.01, `s_r ${rep.sR.estimate}`);
  t.true(rep.sR.lo <= 0.219 + 0.01 && 0.219 - 0.01 <= rep.sR.hi, `s_r CI [${rep.sR.lo}, ${rep.sR.hi}]`);
  t.true(Math.abs(rep.sB.estimate - 1) < 0.1, `s_b ${rep.sB.estimate}`);
  t.true(rep.sB.lo <= 1 && 1 <= rep.sB.hi, `s_b CI [${rep.sB.lo}, ${rep.sB.hi}] (listeners and clips resampled jointly)`);
  t.is(rep.bas.estimate, (rep.sR.estimate + rep.sB.estimate) / 2);
  for (const e of [rep.sR, rep.sB, rep.bas]) t.true(e.lo <= e.estimate + 1e-9 && e.estimate <= e.hi + 0.02 && e.se > 0);
  t.is(rep.matrix.values.length, 16);
  t.deepEqual(
    rep.pairScores.map((p) => p.roi),
    BAS_DEFAULT_PAIRS.map((p) => p.roi),
  );
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
  t.throws(() => computeBas(neural, behaviour, { pairs: [{ area: 'V1', roi: 'A1' }], nBoot: 10, nPerm: 0 }, new Rng(1)), {
    instanceOf: InputError,
    message: /V1/,
  });
  t.throws(() => computeBas(neural, behaviour, { clip: { lo: 1, hi: 0 }, nBoot: 10 }, new Rng(1)), { instanceOf: InputError, message: /clip/ });
  t.is(BasConfigSchema.parse({}).combine, 'mean');
});

/** Every area carries the same features: each area's r in every ROI is one shared value per voxel. */
function flatNeural(rAll: number, rng: Rng): AreaRoiInput {
  const base = plantedNeural([0, 1, 2, 3], rng);
  const V = base.nVoxels;
  const shared = Float32Array.from({ length: V }, () => rAll + 0.05 * rng.normal());
  const r = new Float32Array(4 * V);
  for (let a = 0; a < 4; a++) r.set(shared, a * V);
  return { ...base, r };
}

test('a flat model (same features in every area) scores clearly below the planted hierarchy: s_r 0.127 vs 0.221', (t) => {
  const pairs = { nBoot: 100, nPerm: 99 };
  const behaviour = plantedBehaviour(50, 4, 5, 5);
  const hier = computeBas(plantedNeural([0, 1, 2, 3], new Rng(8)), behaviour, pairs, new Rng(9));
  // The flat model predicts every ROI as well as the hierarchy predicts its own ROI (r = 0.4) …
  const flat = computeBas(flatNeural(0.4, new Rng(8)), behaviour, pairs, new Rng(9));
  t.log(
    `s_r hierarchy ${hier.sR.estimate.toFixed(3)} [${hier.sR.lo.toFixed(3)}, ${hier.sR.hi.toFixed(3)}], flat ${flat.sR.estimate.toFixed(3)} [${flat.sR.lo.toFixed(3)}, ${flat.sR.hi.toFixed(3)}]`,
  );
  // … so its level is the same (0.25) but its specificity is exactly 0: s_r = 0.25/2.
  for (const p of flat.pairScores) t.true(Math.abs(p.specificity) < 1e-12);
  t.true(Math.abs(flat.sR.estimate - 0.127) < 0.01, `flat ${flat.sR.estimate}`);
  t.true(Math.abs(hier.sR.estimate - 0.221) < 0.01, `hierarchy ${hier.sR.estimate}`);
  t.true(flat.sR.hi < hier.sR.lo, 'the CIs do not overlap');
  t.true((flat.correspondence?.p ?? 0) > 0.05 && hier.correspondence?.p === 0.01);
});

test('per-subject s_r by hand: medians of max(r,0)²/max(ρ,0.182) per subject, ½[level + specificity] per pair, mean over subjects; NaN voxels counted', (t) => {
  // 2 areas × 2 ROIs; subject 0 has voxels 0–5, subject 1 voxels 6–11; ROI A = first 3 of each subject.
  // Reliability 0.5 except voxel 2 (0.1 → floored to 0.182) and voxel 8 (NaN → left out, counted).
  const rel = Float64Array.from([0.5, 0.5, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5, NaN, 0.5, 0.5, 0.5]);
  const rA = [0.5, 0.3, 0.2, 0.1, -0.2, 0.0, 0.4, 0.6, 0.9, 0.2, 0.1, 0.3]; // area a (paired with ROI A)
  const rB = [0.1, 0.1, 0.1, 0.5, 0.4, 0.6, 0.2, 0.0, 0.9, 0.3, 0.5, 0.7]; // area b (paired with ROI B)
  const inp: AreaRoiInput = {
    areas: ['a', 'b'],
    rois: ['A', 'B'],
    nVoxels: 12,
    r: Float64Array.from([...rA, ...rB]),
    reliability: rel,
    roiOfVoxel: Int32Array.from([0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1]),
    subjects: ['01', '02'],
    subjectOfVoxel: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]),
  };
  const med = (x: number[]): number => {
    const a = x.slice().sort((p, q) => p - q);
    const m = a.length >> 1;
    return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
  };
  // q(r, ρ) = max(r, 0)² / max(ρ, 0.182).
  // Subject 01: a in A: q(.5,.5)=.5, q(.3,.5)=.18, q(.2,.1)=.04/.182=.2198 → median .2198;  b in A: .02, .02, .01/.182 → median .02
  //             b in B: q(.5)=.5, q(.4)=.32, q(.6)=.72 → .5;  a in B: .02, 0 (r<0), 0 → 0
  const s1 = ((med([0.5, 0.18, 0.04 / 0.182]) + (med([0.5, 0.18, 0.04 / 0.182]) - med([0.02, 0.02, 0.01 / 0.182]))) / 2 + (0.5 + (0.5 - 0)) / 2) / 2;
  // Subject 02 (voxel 8 dropped from ROI A): a in A: q(.4)=.32, q(.6)=.72 → .52; b in A: .08, 0 → .04
  //             b in B: .18, .5, .98 → .5;  a in B: .08, .02, .18 → .08
  const s2 = ((0.52 + (0.52 - 0.04)) / 2 + (0.5 + (0.5 - 0.08)) / 2) / 2;
  const rep = computeBas(
    inp,
    plantedBehaviour(20, 3, 5, 5),
    {
      pairs: [
        { area: 'a', roi: 'A' },
        { area: 'b', roi: 'B' },
      ],
      nBoot: 20,
      nPerm: 0,
    },
    new Rng(1),
  );
  t.true(Math.abs(rep.perSubject[0].sR - s1) < 1e-12, `${rep.perSubject[0].sR} vs ${s1}`);
  t.true(Math.abs(rep.perSubject[1].sR - s2) < 1e-12, `${rep.perSubject[1].sR} vs ${s2}`);
  t.true(Math.abs(rep.sR.estimate - (s1 + s2) / 2) < 1e-12);
  t.deepEqual(
    rep.perSubject.map((s) => s.undefinedVoxels),
    [
      { A: 0, B: 0 },
      { A: 1, B: 0 },
    ],
  );
  t.deepEqual(
    rep.perSubject.map((s) => s.voxels),
    [
      { A: 3, B: 3 },
      { A: 3, B: 3 },
    ],
  );
  // Matrix = mean over subjects of the cells: a in A = (.2198 + .52)/2.
  t.true(Math.abs(rep.matrix.values[0] - (0.04 / 0.182 + 0.52) / 2) < 1e-12);
});

test('stimulus bootstrap: a replicate recomputes r over the drawn clips’ volumes (numpy on the duplicated series); volumes map to clips from onset + 4 s', (t) => {
  // Volumes at TR 2 s; clips at 0, 10 and 20 s → volume t belongs to the last clip with onset + 4 ≤ 2t.
  t.deepEqual(Array.from(clipOfVolumes([{ onset: 10 }, { onset: 0 }, { onset: 20 }], 15, 2)), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2]);
  const nT = 15;
  const rng = new Rng(12, 'tc');
  const n = 2;
  const data = rng.normals(nT * n);
  const pred = Float32Array.from({ length: 2 * nT * n }, (_, i) => data[i % (nT * n)] + rng.normal());
  const clipOfVolume = clipOfVolumes([{ onset: 0 }, { onset: 10 }, { onset: 20 }], nT, 2);
  const inp: AreaRoiInput = {
    areas: ['a', 'b'],
    rois: ['A', 'B'],
    nVoxels: 2,
    r: new Float64Array(4),
    reliability: Float64Array.from([0.5, 0.6]),
    roiOfVoxel: Int32Array.from([0, 1]),
    subjects: ['01'],
    subjectOfVoxel: Int32Array.from([0, 0]),
  };
  // Draw the subject (0), then clips 2, 2, 0: clip 2 counts twice, clip 0 once, clip 1 not at all.
  const seq = [0, 2, 2, 0];
  let i = 0;
  const rep = stimulusReplicate(inp, [{ nT, clipOfVolume, nClips: 3, voxels: Int32Array.from([0, 1]), pred, data }], { int: () => seq[i++] });
  const ref = py<number[]>(
    `import sys, json, numpy as np
d = json.load(sys.stdin); T = d['T']; P = np.array(d['pred']).reshape(2, T, 2); Y = np.array(d['data']).reshape(T, 2); c = np.array(d['clip'])
idx = np.concatenate([np.where(c == k)[0] for k in d['draw']])
print(json.dumps([float(np.corrcoef(P[a, idx, j], Y[idx, j])[0, 1]) for a in range(2) for j in range(2)]))`,
    { T: nT, pred: Array.from(pred), data: Array.from(data), clip: Array.from(clipOfVolume), draw: [2, 2, 0] },
  );
  t.true(
    Array.from(rep.r).every((x, k) => Math.abs(x - ref[k]) < 1e-9),
    `${Array.from(rep.r).join(', ')} vs ${ref.join(', ')}`,
  );
  t.deepEqual(Array.from(rep.reliability), [0.5, 0.6]);
});
