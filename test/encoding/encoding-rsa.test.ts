import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import {
  rdm,
  subRdm,
  compareRdms,
  crossValidatedLayerRsa,
  rsaNoiseCeiling,
  rdmSize,
  condensedIndex,
  stimulusFolds,
  zscoreColumns,
} from '../../src/encoding/rsa.js';
import { kendallTauB } from '../../src/stats/correlation.js';
import { regressComponents, ridgeRegression } from '../../src/encoding/components.js';
import { pyStdin as py } from '../helpers/python.js';
import { betaSeries, betaSeriesDesign } from '../../src/encoding/beta-series.js';
import { convolve, doubleGammaHrf } from '../../src/signal/hrf.js';

/** nStim × nFeat patterns: shared `base` plus independent noise of SD `sd`. */
function noisy(base: Float32Array, sd: number, rng: Rng): Float32Array {
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) out[i] = base[i] + sd * rng.normal();
  return out;
}

test('RDMs (1 − Pearson, Euclidean) match scipy pdist in its condensed order', (t) => {
  const rng = new Rng(1);
  const X = rng.normals(12 * 30);
  const ref = py<{ c: number[]; e: number[] }>(
    `
import json, sys, numpy as np
from scipy.spatial.distance import pdist
X = np.array(json.load(sys.stdin)).reshape(12, 30)
print(json.dumps({'c': pdist(X, 'correlation').tolist(), 'e': pdist(X, 'euclidean').tolist()}))
`,
    Array.from(X),
  );
  const c = rdm(X, 12, 30, 'correlation');
  const e = rdm(X, 12, 30, 'euclidean');
  t.is(c.length, 66);
  t.is(rdmSize(66), 12);
  for (let k = 0; k < 66; k++) {
    t.true(Math.abs(c[k] - ref.c[k]) < 1e-6, `corr ${k}`);
    t.true(Math.abs(e[k] - ref.e[k]) < 1e-5, `eucl ${k}`);
  }
  // Sub-RDM over stimuli (2, 5, 9) equals the RDM of those rows.
  const idx = [2, 5, 9];
  const sub = rdm(new Float32Array([...X.slice(60, 90), ...X.slice(150, 180), ...X.slice(270, 300)]), 3, 30, 'euclidean');
  const viaSub = subRdm(e, 12, idx);
  for (let k = 0; k < 3; k++) t.true(Math.abs(sub[k] - viaSub[k]) < 1e-9);
  t.is(condensedIndex(12, 0, 1), 0);
  t.is(condensedIndex(12, 10, 11), 65);
});

test('RDM comparison: Spearman vs scipy; Kendall τa vs an independent O(n²) count on a categorical (tied) model RDM', (t) => {
  // 30 stimuli in 3 categories; the model RDM is 0 within / 1 between: 435 cells, all tied in two values.
  const rng = new Rng(2);
  const n = 30;
  const cat = Array.from({ length: n }, (_, i) => i % 3);
  const model: number[] = [];
  const brain: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = cat[i] === cat[j] ? 0 : 1;
      model.push(m);
      brain.push(m + 1.5 * rng.normal());
    }
  }
  const ref = py<{ rho: number; taua: number }>(
    `
import json, sys, numpy as np
from scipy import stats
d = json.load(sys.stdin); a = np.array(d['a']); b = np.array(d['b']); n = len(a)
s = sum(np.sum(np.sign(a[i] - a[i+1:]) * np.sign(b[i] - b[i+1:])) for i in range(n))
print(json.dumps({'rho': stats.spearmanr(a, b).correlation, 'taua': s / (n * (n - 1) / 2)}))
`,
    { a: model, b: brain },
  );
  t.true(Math.abs(compareRdms(model, brain, 'spearman') - ref.rho) < 1e-12);
  const taua = compareRdms(model, brain, 'kendall-tau-a');
  t.true(Math.abs(taua - ref.taua) < 1e-12, `τa ${taua} vs ${ref.taua}`);
  // τb inflates the tied categorical model (it divides by fewer pairs); τa does not.
  t.true(kendallTauB(model, brain) > taua * 1.3);
});

test('z-scoring across stimuli matches scipy.stats.zscore; the RDM of z-scored patterns equals 1 − numpy corrcoef (braindnn); constant columns become 0', (t) => {
  const rng = new Rng(11);
  const nStim = 9;
  const nFeat = 7;
  const X = rng.normals(nStim * nFeat);
  for (let i = 0; i < nStim; i++) X[i * nFeat + 3] = 2.5; // a dead unit
  const ref = py<{ z: number[]; d: number[] }>(
    `
import json, sys, numpy as np
from scipy import stats
from scipy.spatial.distance import squareform
X = np.array(json.load(sys.stdin), dtype=np.float64).reshape(9, 7)
Z = stats.zscore(X, axis=0); Z[:, 3] = 0
D = 1 - np.corrcoef(Z)
np.fill_diagonal(D, 0)
print(json.dumps({'z': Z.ravel().tolist(), 'd': squareform(D, checks=False).tolist()}))
`,
    Array.from(X),
  );
  const z = zscoreColumns(X, nStim, nFeat);
  for (let k = 0; k < z.length; k++) t.true(Math.abs(z[k] - ref.z[k]) < 1e-6, `z ${k}`);
  const d = rdm(z, nStim, nFeat);
  for (let k = 0; k < d.length; k++) t.true(Math.abs(d[k] - ref.d[k]) < 1e-9, `d ${k}`);
});

test('z-scoring lets every unit count: a high-variance nuisance unit hides the planted geometry from the raw RDM (ρ < 0.3) but not from the z-scored one (ρ > 0.6)', (t) => {
  const rng = new Rng(12);
  const nStim = 30;
  const nSig = 20;
  const truth = rng.normals(nStim * nSig);
  const brain = rdm(zscoreColumns(noisy(truth, 0.5, rng), nStim, nSig), nStim, nSig);
  // Model: the planted units plus 3 unrelated units with SD 30.
  const nFeat = nSig + 3;
  const X = new Float64Array(nStim * nFeat);
  for (let i = 0; i < nStim; i++) {
    for (let f = 0; f < nSig; f++) X[i * nFeat + f] = truth[i * nSig + f];
    for (let f = nSig; f < nFeat; f++) X[i * nFeat + f] = 30 * rng.normal();
  }
  const raw = compareRdms(rdm(X, nStim, nFeat), brain);
  const zs = compareRdms(rdm(zscoreColumns(X, nStim, nFeat), nStim, nFeat), brain);
  t.log(`raw ρ ${raw.toFixed(3)}, z-scored ρ ${zs.toFixed(3)}`);
  t.true(raw < 0.3);
  t.true(zs > 0.6);
});

test('stimulus folds are balanced and cover every stimulus once', (t) => {
  const f = stimulusFolds(23, 5, new Rng(1));
  const counts = [0, 0, 0, 0, 0];
  for (const x of f) counts[x]++;
  t.deepEqual(counts.slice().sort(), [4, 4, 5, 5, 5]);
  t.throws(() => stimulusFolds(9, 5, new Rng(1)));
  t.throws(() => stimulusFolds(30, 2, new Rng(1)));
});

test('stimulus-fold cross-validated RSA: one layer gives exactly the all-cell RSA; the planted layer fills > 90 % of cells; null layers score ≈ 0 while the in-sample best is biased up', (t) => {
  const rng = new Rng(3);
  const nStim = 40;
  const nFeat = 50;
  const truth = rng.normals(nStim * nFeat);
  const brain = rdm(noisy(truth, 1, rng), nStim, nFeat);
  const single = rdm(noisy(truth, 2, rng), nStim, nFeat);
  const one = crossValidatedLayerRsa([{ name: 'only', rdm: single }], brain, { rng: new Rng(4), folds: 5, repeats: 2 });
  t.true(Math.abs(one.score - compareRdms(single, brain)) < 1e-12);
  t.is(one.nCells, 780);
  t.is(one.chosen.only, 2 * 780);
  // Every layer carries the planted geometry; layer 2 with the least noise (SD 0.6 vs 2–4).
  const sds = [3, 2, 0.6, 2.5, 4];
  const layers = sds.map((sd, k) => ({ name: `layer${k}`, rdm: rdm(noisy(truth, sd, rng), nStim, nFeat) }));
  const cv = crossValidatedLayerRsa(layers, brain, { rng: new Rng(4), folds: 5, repeats: 5 });
  t.true(cv.chosen.layer2 > 0.9 * 5 * 780, JSON.stringify(cv.chosen));
  t.true(cv.score > 0.2, `score ${cv.score}`);

  let cvSum = 0;
  let inSampleSum = 0;
  const reps = 12;
  for (let r = 0; r < reps; r++) {
    const nullLayers = Array.from({ length: 10 }, (_, k) => ({ name: `n${k}`, rdm: rdm(rng.normals(nStim * nFeat), nStim, nFeat) }));
    const b = rdm(rng.normals(nStim * nFeat), nStim, nFeat);
    inSampleSum += Math.max(...nullLayers.map((l) => compareRdms(l.rdm, b)));
    cvSum += crossValidatedLayerRsa(nullLayers, b, { rng: new Rng(10 + r), folds: 5, repeats: 3 }).score;
  }
  t.log(`null layers: in-sample best ${(inSampleSum / reps).toFixed(3)}, cross-validated ${(cvSum / reps).toFixed(3)}`);
  t.true(Math.abs(cvSum / reps) < 0.03);
  t.true(inSampleSum / reps > cvSum / reps + 0.02);
});

test('cross-validated Spearman RSA read off one sort per layer equals its definition (spearman of each fold’s sub-RDMs) exactly, on RDMs with many ties', (t) => {
  const rng = new Rng(8);
  const nStim = 24;
  const nFeat = 20;
  const truth = rng.normals(nStim * nFeat);
  // Rounding to 1 decimal leaves ~20 distinct values among 276 cells: tie handling is exercised in every fold.
  const tied = (x: Float64Array): Float64Array => x.map((v) => Math.round(v * 10) / 10);
  const brain = tied(rdm(noisy(truth, 1, rng), nStim, nFeat));
  const layers = [1.5, 0.8, 3].map((sd, k) => ({ name: `layer${k}`, rdm: tied(rdm(noisy(truth, sd, rng), nStim, nFeat)) }));
  const folds = 4;
  const repeats = 3;
  const got = crossValidatedLayerRsa(layers, brain, { rng: new Rng(5), folds, repeats });
  // The definition, spelled out: per fold pair, spearman() of the sub-RDMs among the other folds' stimuli picks the layer.
  const frng = new Rng(5);
  const scores: number[] = [];
  const chosen: Record<string, number> = { layer0: 0, layer1: 0, layer2: 0 };
  for (let rep = 0; rep < repeats; rep++) {
    const fold = stimulusFolds(nStim, folds, frng);
    const assembled = new Float64Array(brain.length);
    for (let a = 0; a < folds; a++) {
      for (let b = a; b < folds; b++) {
        const train = Array.from({ length: nStim }, (_, i) => i).filter((i) => fold[i] !== a && fold[i] !== b);
        const sc = layers.map((l) => compareRdms(subRdm(l.rdm, nStim, train), subRdm(brain, nStim, train), 'spearman'));
        const best = sc.indexOf(Math.max(...sc));
        for (let i = 0; i < nStim; i++) {
          for (let j = i + 1; j < nStim; j++) {
            if ((fold[i] === a && fold[j] === b) || (fold[i] === b && fold[j] === a)) {
              assembled[condensedIndex(nStim, i, j)] = layers[best].rdm[condensedIndex(nStim, i, j)];
              chosen[layers[best].name]++;
            }
          }
        }
      }
    }
    scores.push(compareRdms(assembled, brain, 'spearman'));
  }
  const mean = scores.reduce((x, y) => x + y, 0) / repeats;
  t.is(got.score, mean);
  t.deepEqual(got.chosen, chosen);
  t.true(got.sd > 0);
});

test('LSA beta-series design equals its definition bit for bit: fine boxcars convolved with the HRF (convolve), sampled at each TR, mean-centred', (t) => {
  const tr = 1.5;
  const nT = 120;
  const events = [
    { onset: 0, duration: 6 },
    { onset: 7.3, duration: 10 },
    { onset: 30.05, duration: 0.25 },
    { onset: 100, duration: 0 },
    { onset: 150, duration: 40 },
  ];
  const got = betaSeriesDesign(events, nT, tr);
  const dt = 0.1;
  const nFine = Math.ceil((nT * tr) / dt) + 1;
  const h = doubleGammaHrf(dt, 32);
  events.forEach((e, k) => {
    const box = new Float32Array(nFine);
    for (let i = Math.max(0, Math.round(e.onset / dt)); i < Math.min(nFine, Math.round((e.onset + e.duration) / dt)); i++) box[i] = 1;
    const c = convolve(box, h);
    const col = Array.from({ length: nT }, (_, ti) => c[Math.min(nFine - 1, Math.round((ti * tr) / dt))]);
    const m = col.reduce((a, b) => a + b, 0) / nT;
    t.deepEqual(
      Array.from({ length: nT }, (_, ti) => got[ti * events.length + k]),
      col.map((v) => v - m),
      `clip ${k}`,
    );
  });
});

test('LSA beta series: planted clip amplitudes of overlapping HRF responses are recovered exactly without noise, and match numpy lstsq with noise', (t) => {
  // 12 clips of 4 s with 1.5-s gaps at TR 1: every response overlaps the next clip's.
  const tr = 1;
  const events = Array.from({ length: 12 }, (_, k) => ({ onset: 6 + 5.5 * k, duration: 4 }));
  const nT = 90;
  const nV = 3;
  const X = betaSeriesDesign(events, nT, tr);
  const rng = new Rng(21);
  const beta = rng.normals(12 * nV);
  const Y = new Float64Array(nT * nV);
  for (let tt = 0; tt < nT; tt++) for (let v = 0; v < nV; v++) for (let k = 0; k < 12; k++) Y[tt * nV + v] += X[tt * 12 + k] * beta[k * nV + v];
  const clean = betaSeries(Y, nT, nV, events, tr);
  for (let i = 0; i < beta.length; i++) t.true(Math.abs(clean[i] - beta[i]) < 1e-6, `β ${i}`);
  const noisy = Y.map((y) => y + 0.3 * rng.normal());
  const ref = py<number[]>(
    `
import json, sys, numpy as np
d = json.load(sys.stdin)
X = np.array(d['X']).reshape(90, 12); Y = np.array(d['Y']).reshape(90, 3)
print(json.dumps(np.linalg.lstsq(X, Y, rcond=None)[0].ravel().tolist()))
`,
    { X: Array.from(X), Y: Array.from(noisy) },
  );
  const got = betaSeries(noisy, nT, nV, events, tr);
  for (let i = 0; i < got.length; i++) t.true(Math.abs(got[i] - ref[i]) < 1e-8, `β ${i}: ${got[i]} vs ${ref[i]}`);
  t.throws(() => betaSeries(new Float64Array(10 * nV), 10, nV, events, tr));
});

test('leave-one-subject-out noise ceiling matches an independent scipy computation; lower < upper; identical subjects give 1', (t) => {
  const rng = new Rng(5);
  const nStim = 20;
  const nFeat = 40;
  const truth = rng.normals(nStim * nFeat);
  const subjects = Array.from({ length: 6 }, () => rdm(noisy(truth, 1.5, rng), nStim, nFeat));
  const nc = rsaNoiseCeiling(subjects, 'spearman');
  const ref = py<{ upper: number; lower: number }>(
    `
import json, sys, numpy as np
from scipy import stats
S = np.array(json.load(sys.stdin)); R = np.array([stats.rankdata(s) for s in S])
up = [stats.spearmanr(S[i], R.mean(0)).correlation for i in range(len(S))]
lo = [stats.spearmanr(S[i], np.delete(R, i, 0).mean(0)).correlation for i in range(len(S))]
print(json.dumps({'upper': float(np.mean(up)), 'lower': float(np.mean(lo))}))
`,
    subjects.map((s) => Array.from(s)),
  );
  t.true(Math.abs(nc.upper - ref.upper) < 1e-12);
  t.true(Math.abs(nc.lower - ref.lower) < 1e-12);
  t.true(nc.lower < nc.upper);
  // The true geometry scores inside or above the lower bound (it is what every subject shares).
  const trueRdm = rdm(truth, nStim, nFeat);
  const trueScore = subjects.reduce((s, d) => s + compareRdms(trueRdm, d), 0) / subjects.length;
  t.true(trueScore > nc.lower - 0.02 && trueScore < nc.upper + 0.02, `true ${trueScore} in [${nc.lower}, ${nc.upper}]`);
  const same = rsaNoiseCeiling([subjects[0], subjects[0]], 'kendall-tau-a');
  t.true(Math.abs(same.upper - 1) < 1e-12 && Math.abs(same.lower - 1) < 1e-12);
});

test('component regression transposes components × stimuli into stimuli × targets and returns the engine scores', (t) => {
  // 3 components × 4 stimuli; the stub engine reports, per target, the sum of its column so the layout is checked.
  const comps = { data: new Float32Array([1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400]), nComponents: 3, nStimuli: 4, names: ['c1', 'c2', 'c3'] };
  const features = { data: new Float32Array(8), nStimuli: 4, nFeatures: 2 };
  const res = regressComponents(features, comps, (X, nS, nF, Y, nT) => {
    const score = new Float64Array(nT);
    for (let s = 0; s < nS; s++) for (let c = 0; c < nT; c++) score[c] += Y[s * nT + c];
    t.is(nF, 2);
    t.is(X.length, 8);
    return { score };
  });
  t.deepEqual(res.fits, [
    { name: 'c1', score: 10 },
    { name: 'c2', score: 100 },
    { name: 'c3', score: 1000 },
  ]);
  t.throws(() => regressComponents({ ...features, nStimuli: 5 }, comps, () => ({ score: [0, 0, 0] })));
});

test('component regression through the ridge engine: planted linear components are predicted (r > 0.8), a noise component is not (|r| < 0.2)', (t) => {
  const rng = new Rng(9);
  const nStim = 165;
  const nFeat = 20;
  const X = rng.normals(nStim * nFeat);
  const C = 3;
  const data = new Float32Array(C * nStim);
  const w = [rng.normals(nFeat), rng.normals(nFeat)];
  for (let s = 0; s < nStim; s++) {
    for (let c = 0; c < 2; c++) {
      let y = 0;
      for (let f = 0; f < nFeat; f++) y += X[s * nFeat + f] * w[c][f];
      data[c * nStim + s] = y + 1.5 * rng.normal(); // SNR ≈ 20/2.25: r ≈ 0.95 attainable
    }
    data[2 * nStim + s] = rng.normal();
  }
  const res = regressComponents(
    { data: X, nStimuli: nStim, nFeatures: nFeat },
    { data, nComponents: C, nStimuli: nStim, names: ['a', 'b', 'noise'] },
    ridgeRegression([0.1, 1, 10, 100, 1000], { folds: 5 }),
  );
  t.log(res.fits.map((f) => `${f.name} ${f.score.toFixed(3)}`).join(', '));
  t.true(res.fits[0].score > 0.8 && res.fits[1].score > 0.8);
  t.true(Math.abs(res.fits[2].score) < 0.2);
});
