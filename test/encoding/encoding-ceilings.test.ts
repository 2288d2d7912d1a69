import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { pearson } from '../../src/stats/correlation.js';
import {
  spearmanBrown,
  splitHalfReliability,
  pairwiseReliability,
  signalPower,
  ncsnrCeiling,
  normalise,
  reliabilityCeiling,
  asCorrelationCeiling,
  tuckuteCorrectedR2,
  noiseCorrectedR2,
  flooredCorrelationCeiling,
  TUCKUTE_RELIABILITY_FLOOR,
} from '../../src/encoding/ceilings.js';
import { pyStdin as py } from '../helpers/python.js';

/** R runs × T × V: signal s (variance sigS²) shared by all runs plus independent noise (variance sigN²). */
function plantedRepeats(R: number, T: number, V: number, sigS: number, sigN: number, rng: Rng): { runs: Float32Array; signal: Float32Array } {
  const signal = rng.normals(T * V, 0, sigS);
  const runs = new Float32Array(R * T * V);
  for (let r = 0; r < R; r++) for (let i = 0; i < T * V; i++) runs[r * T * V + i] = signal[i] + sigN * rng.normal();
  return { runs, signal };
}

const mean = (x: ArrayLike<number>): number => Array.from(x).reduce((s, v) => s + v, 0) / x.length;

test('Spearman–Brown by hand: 2·0.5/(1+0.5) = 2/3; 3·0.25/(1+2·0.25) = 0.5', (t) => {
  t.true(Math.abs(spearmanBrown(0.5) - 2 / 3) < 1e-15);
  t.true(Math.abs(spearmanBrown(0.25, 3) - 0.5) < 1e-15);
});

test('split-half by hand: runs [1,2,3,4] and [2,1,4,3] → r = 3/5 = 0.6, reliability 1.2/1.6 = 0.75', (t) => {
  // Deviations (−1.5, −0.5, 0.5, 1.5) and (−0.5, −1.5, 1.5, 0.5): Σab = 3, Σa² = Σb² = 5.
  const runs = new Float32Array([1, 2, 3, 4, 2, 1, 4, 3]);
  const res = splitHalfReliability(runs, { nRuns: 2, nT: 4, nV: 1 });
  t.true(Math.abs(res.splitHalfR[0] - 0.6) < 1e-12);
  t.true(Math.abs(res.reliability[0] - 0.75) < 1e-12);
  t.is(res.nSplits, 1);
});

test('signal power by hand: runs [0,1,2] and [0,3,0] → noise 4/3, mean var 1, signal 1/3, EV 1/3, NCSNR 0.5', (t) => {
  // Demeaned runs (−1,0,1) and (−1,2,−1); mean ȳ = (−1,1,0), var_{T−1}(ȳ) = 2/2 = 1.
  // Across-run variances per t (R−1 = 1): 0, 2, 2 → σ̂²_N = 4/3. σ̂²_S = 1 − (4/3)/2 = 1/3.
  const sp = signalPower(new Float32Array([0, 1, 2, 0, 3, 0]), { nRuns: 2, nT: 3, nV: 1 });
  t.true(Math.abs(sp.noiseVar[0] - 4 / 3) < 1e-12);
  t.true(Math.abs(sp.meanVar[0] - 1) < 1e-12);
  t.true(Math.abs(sp.signalVar[0] - 1 / 3) < 1e-12);
  t.true(Math.abs(sp.explainableVariance[0] - 1 / 3) < 1e-12);
  t.true(Math.abs(sp.ncsnr[0] - 0.5) < 1e-12);
  // NSD-style ceiling for the 2-run mean equals the explainable variance: 0.25/(0.25 + 1/2) = 1/3.
  t.true(Math.abs(ncsnrCeiling(sp.ncsnr[0], 2) - 1 / 3) < 1e-12);
});

test('signal power and split-half reliability match an independent numpy computation (R = 4, all 3 splits)', (t) => {
  const rng = new Rng(2);
  const d = { nRuns: 4, nT: 50, nV: 3 };
  const { runs } = plantedRepeats(d.nRuns, d.nT, d.nV, 1, 1.5, rng);
  const ref = py<{ sig: number[]; noise: number[]; rel: number[] }>(
    `
import json, sys, itertools, numpy as np
d = json.load(sys.stdin); y = np.array(d['runs']).reshape(4, 50, 3)
y = y - y.mean(axis=1, keepdims=True)
R, T = 4, 50
ybar = y.mean(0)
PY = (y ** 2).mean(axis=1).mean(0)          # mean over runs of population variance over time
Pbar = (ybar ** 2).mean(0)                   # population variance of the mean
noise = R / (R - 1) * (PY - Pbar)
sig = T / (T - 1) * Pbar - noise / R
raw = np.array(d['runs']).reshape(4, 50, 3)
rel = []
for v in range(3):
    rs = []
    for a in itertools.combinations(range(4), 2):
        if 0 not in a: continue
        b = [i for i in range(4) if i not in a]
        rs.append(np.corrcoef(raw[list(a), :, v].mean(0), raw[b, :, v].mean(0))[0, 1])
    r = np.mean(rs); rel.append(2 * r / (1 + r))
print(json.dumps({'sig': sig.tolist(), 'noise': noise.tolist(), 'rel': rel}))
`,
    { runs: Array.from(runs) },
  );
  const sp = signalPower(runs, d);
  const sh = splitHalfReliability(runs, d);
  t.is(sh.nSplits, 3);
  for (let v = 0; v < 3; v++) {
    t.true(Math.abs(sp.signalVar[v] - ref.sig[v]) < 1e-9, `signal ${sp.signalVar[v]} vs ${ref.sig[v]}`);
    t.true(Math.abs(sp.noiseVar[v] - ref.noise[v]) < 1e-9);
    t.true(Math.abs(sh.reliability[v] - ref.rel[v]) < 1e-9);
  }
});

test('planted σ²_S = 1, σ²_N = 4, R = 6: signal variance unbiased, and EV, split-half and pairwise reliability ≈ 1/(1+4/6) = 0.6', (t) => {
  const d = { nRuns: 6, nT: 300, nV: 200 };
  const { runs, signal } = plantedRepeats(d.nRuns, d.nT, d.nV, 1, 2, new Rng(7));
  const sp = signalPower(runs, d);
  const sh = splitHalfReliability(runs, d);
  const pw = pairwiseReliability(runs, d);
  t.true(Math.abs(mean(sp.signalVar) - 1) < 0.03, `signal ${mean(sp.signalVar)}`);
  t.true(Math.abs(mean(sp.noiseVar) - 4) < 0.05, `noise ${mean(sp.noiseVar)}`);
  t.true(Math.abs(mean(sp.explainableVariance) - 0.6) < 0.02, `EV ${mean(sp.explainableVariance)}`);
  t.true(Math.abs(mean(sh.reliability) - 0.6) < 0.02, `split-half ${mean(sh.reliability)}`);
  t.true(Math.abs(mean(pw.reliability) - 0.6) < 0.03, `pairwise ${mean(pw.reliability)}`);
  // A perfect model (prediction = planted signal) reaches r² ≈ reliability; normalised ≈ 1 in both kinds.
  const norm2: number[] = [];
  const norm1: number[] = [];
  const a = new Float64Array(d.nT);
  const b = new Float64Array(d.nT);
  for (let v = 0; v < d.nV; v++) {
    for (let tt = 0; tt < d.nT; tt++) {
      a[tt] = signal[tt * d.nV + v];
      let s = 0;
      for (let r = 0; r < d.nRuns; r++) s += runs[(r * d.nT + tt) * d.nV + v];
      b[tt] = s / d.nRuns;
    }
    const r = pearson(a, b);
    const c = reliabilityCeiling(sh.reliability[v]);
    norm2.push(normalise({ kind: 'r2', value: r * r }, c).value);
    norm1.push(normalise({ kind: 'r', value: r }, asCorrelationCeiling(c)).value);
  }
  t.true(Math.abs(mean(norm2) - 1) < 0.05, `r²/ρ ${mean(norm2)}`);
  t.true(Math.abs(mean(norm1) - 1) < 0.03, `r/√ρ ${mean(norm1)}`);
});

test('normalise refuses mismatched kinds (the squared-ceiling mistake) and double normalisation', (t) => {
  const c = reliabilityCeiling(0.36);
  // The Brain-Score #2169 mistake would be (r/ρ)²: 0.6/0.36 squared = 2.78 instead of 0.36/0.36 = 1.
  t.throws(() => normalise({ kind: 'r', value: 0.6 }, c), { instanceOf: InputError, message: /kind 'r'.*kind 'r2'/ });
  const once = normalise({ kind: 'r2', value: 0.36 }, c);
  t.true(Math.abs(once.value - 1) < 1e-12);
  t.throws(() => normalise(once, c), { instanceOf: InputError, message: /already/ });
  t.true(Math.abs(normalise({ kind: 'r', value: 0.6 }, asCorrelationCeiling(c)).value - 1) < 1e-12);
  t.true(Number.isNaN(normalise({ kind: 'r2', value: 0.1 }, reliabilityCeiling(-0.2)).value));
});

test('Tuckute correction by hand (0.5² / (0.8·0.5) = 0.625; floor 0.182) and ≈ 1 for a planted perfect-but-noisy model', (t) => {
  t.true(Math.abs(tuckuteCorrectedR2(0.5, 0.8, 0.5) - 0.625) < 1e-12);
  t.true(Math.abs(tuckuteCorrectedR2(0.2, 0.05, 0.5) - 0.04 / (TUCKUTE_RELIABILITY_FLOOR * 0.5)) < 1e-12);
  // Voxel: mean of 2 runs with noise var 1 → reliability 1/(1+0.5) = 2/3.
  // Prediction: two predictions fit on disjoint runs, each s + noise of var 2 → split-half r = 1/3, SB → 0.5.
  const rng = new Rng(13);
  const T = 400;
  const V = 150;
  const corrected: number[] = [];
  for (let v = 0; v < V; v++) {
    const s = rng.normals(T);
    const runs = new Float64Array(2 * T);
    const preds = new Float64Array(2 * T);
    for (let i = 0; i < T; i++) {
      runs[i] = s[i] + rng.normal();
      runs[T + i] = s[i] + rng.normal();
      preds[i] = s[i] + Math.SQRT2 * rng.normal();
      preds[T + i] = s[i] + Math.SQRT2 * rng.normal();
    }
    const rv = splitHalfReliability(runs, { nRuns: 2, nT: T, nV: 1 }).reliability[0];
    const rp = splitHalfReliability(preds, { nRuns: 2, nT: T, nV: 1 }).reliability[0];
    const ybar = Array.from({ length: T }, (_, i) => (runs[i] + runs[T + i]) / 2);
    const pbar = Array.from({ length: T }, (_, i) => (preds[i] + preds[T + i]) / 2);
    corrected.push(tuckuteCorrectedR2(pearson(pbar, ybar), rv, rp));
  }
  t.true(Math.abs(mean(corrected) - 1) < 0.05, `corrected ${mean(corrected)}`);
});

test('signed Tuckute correction: r < 0 is set to 0 before squaring (−0.5 gives 0, not 0.625); NaN stays NaN', (t) => {
  t.is(tuckuteCorrectedR2(-0.5, 0.8, 0.5), 0);
  t.true(Math.abs(tuckuteCorrectedR2(0.5, 0.8, 0.5) - 0.625) < 1e-12);
  t.true(Number.isNaN(tuckuteCorrectedR2(NaN, 0.8, 0.5)));
  t.is(noiseCorrectedR2(-0.3, 0.5), 0);
  t.true(Math.abs(noiseCorrectedR2(0.3, 0.5) - 0.18) < 1e-12);
  t.true(Number.isNaN(noiseCorrectedR2(0.3, NaN)));
  t.throws(() => noiseCorrectedR2(0.3, 0.5, 0), { instanceOf: InputError, message: /floor/ });
});

test('reliability floor 0.182: a perfect model on unreliable voxels gives r/√ρ ≤ 2.34 instead of unbounded ratios', (t) => {
  // Hand values: ρ = 0.01 is floored to 0.182 → 0.3²/0.182 = 0.4945 (unfloored 9), ceiling √0.182 = 0.4266.
  t.true(Math.abs(noiseCorrectedR2(0.3, 0.01) - 0.09 / 0.182) < 1e-12);
  t.true(Math.abs(flooredCorrelationCeiling(0.01).value - Math.sqrt(0.182)) < 1e-12);
  t.true(Number.isNaN(flooredCorrelationCeiling(NaN).value));
  // Planted: 300 voxels with signal variance 0.01–1 (true ρ of a 3-run mean 0.03–0.97) against noise variance 1;
  // the model predicts the signal exactly. Estimated ρ near 0 makes the raw ratio explode.
  const rng = new Rng(21);
  const T = 60;
  const R = 3;
  let rawMax = 0;
  let flooredMax = 0;
  for (let v = 0; v < 300; v++) {
    const sd = Math.sqrt(0.01 + 0.99 * (v / 299));
    const s = rng.normals(T, 0, sd);
    const runs = new Float64Array(R * T);
    for (let r = 0; r < R; r++) for (let i = 0; i < T; i++) runs[r * T + i] = s[i] + rng.normal();
    const rho = pairwiseReliability(runs, { nRuns: R, nT: T, nV: 1 }).reliability[0];
    const ybar = Array.from({ length: T }, (_, i) => (runs[i] + runs[T + i] + runs[2 * T + i]) / 3);
    const r = pearson(s, ybar);
    if (rho > 0) rawMax = Math.max(rawMax, r / Math.sqrt(rho));
    flooredMax = Math.max(flooredMax, r / flooredCorrelationCeiling(rho).value);
  }
  t.log(`max r/√ρ: raw ${rawMax.toFixed(2)}, floored ${flooredMax.toFixed(2)}`);
  t.true(rawMax > 3, `raw ${rawMax}`);
  t.true(flooredMax <= 1 / Math.sqrt(0.182) + 1e-12, `floored ${flooredMax}`);
});
