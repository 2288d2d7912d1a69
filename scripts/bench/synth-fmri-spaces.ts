/**
 * Is the planted area→ROI map recoverable from the noisy default BOLD? For
 * one subject: ridge on each feature space's planted regressors (fit on the
 * training runs after drift removal, λ picked by leave-one-run-out), scored
 * as r with the mean of the test runs; mean r per ROI and space, next to the
 * analytic noise ceiling. Usage: npx tsx scripts/bench/synth-fmri-spaces.ts [seed]
 */
import { defaultSynthConfig } from '../../src/synth/config.js';
import { expectedCeilings, FEATURE_SPACES, renderRun, type FeatureSpace } from '../../src/synth/fmri.js';
import { ROI_NAMES } from '../../src/synth/layout.js';
import { simulateStudy } from '../../src/synth/study.js';
import { pearson, ridgeSolve } from '../../test/helpers/lstsq.js';

const seed = Number(process.argv[2] ?? 1);
const cfg = defaultSynthConfig();
cfg.fmri.subjects = 1;
cfg.eeg.subjects = 0;
cfg.eeg.control = false;
cfg.behaviour.subjects = 0;
const study = simulateStudy(cfg, seed);
const sub = study.fmri[0];
const L = study.layout;
const nv = L.mask.length;
const data = sub.runs.map((d, r) => renderRun(L, sub.brain, r, d, cfg.fmri, sub.rng.fork(`run-${r}`)));

function residualiser(T: number): (y: Float64Array) => Float64Array {
  const B: Float64Array[] = [new Float64Array(T).fill(1), Float64Array.from({ length: T }, (_, t) => (2 * t) / (T - 1) - 1)];
  for (let j = 1; j <= 3; j++) B.push(Float64Array.from({ length: T }, (_, t) => Math.cos((Math.PI * j * (t + 0.5)) / T)));
  const X = new Float64Array(T * B.length);
  for (let t = 0; t < T; t++) B.forEach((c, j) => (X[t * B.length + j] = c[t]));
  return (y) => {
    const [b] = ridgeSolve(X, T, B.length, [y], 1e-9);
    return y.map((v, t) => v - B.reduce((s, c, j) => s + b[j] * c[t], 0));
  };
}
const trainRuns = sub.runs.map((_, r) => r).filter((r) => sub.runs[r].task === 'train');
const testRuns = sub.runs.map((_, r) => r).filter((r) => sub.runs[r].task === 'test');
const voxels = Array.from({ length: nv }, (_, v) => v).filter((v) => L.atlas[v] > 0);
const resid = sub.runs.map((d) => residualiser(d.nVols));
const Y = (r: number, v: number): Float64Array => resid[r](Float64Array.from({ length: sub.runs[r].nVols }, (_, t) => data[r][t * nv + v]));
const X = (r: number, sp: FeatureSpace): Float64Array[] => {
  const F = study.spaces[sp].names.length;
  return Array.from({ length: F }, (_, f) => resid[r](Float64Array.from({ length: sub.runs[r].nVols }, (_, t) => sub.regs[r][sp][t * F + f])));
};
const design = (runs: number[], sp: FeatureSpace): { M: Float64Array; n: number; F: number } => {
  const F = study.spaces[sp].names.length;
  const n = runs.reduce((a, r) => a + sub.runs[r].nVols, 0);
  const M = new Float64Array(n * F);
  let off = 0;
  for (const r of runs) {
    const cols = X(r, sp);
    for (let t = 0; t < sub.runs[r].nVols; t++, off++) for (let f = 0; f < F; f++) M[off * F + f] = cols[f][t];
  }
  return { M, n, F };
};
const lambdas = [1, 10, 100, 1000];
const testMean = voxels.map((v) => {
  const ys = testRuns.map((r) => Y(r, v));
  return ys[0].map((_, t) => ys.reduce((s, y) => s + y[t], 0) / ys.length);
});
const ceil = expectedCeilings(sub.brain, testRuns.length);
const results: Record<string, Record<string, number[]>> = {};
for (const sp of FEATURE_SPACES) {
  // λ by leave-one-run-out over the two training runs, shared across voxels for speed.
  let bestL = lambdas[0];
  let bestScore = -Infinity;
  for (const lam of lambdas) {
    let score = 0;
    for (const held of trainRuns) {
      const fitRuns = trainRuns.filter((r) => r !== held);
      const d = design(fitRuns, sp);
      const ys = voxels.map((v) => Float64Array.from(fitRuns.flatMap((r) => Array.from(Y(r, v)))));
      const betas = ridgeSolve(d.M, d.n, d.F, ys, lam);
      const dt = design([held], sp);
      voxels.forEach((v, i) => {
        const pred = new Float64Array(dt.n);
        for (let t = 0; t < dt.n; t++) for (let f = 0; f < dt.F; f++) pred[t] += dt.M[t * dt.F + f] * betas[i][f];
        score += pearson(pred, Y(held, v)) || 0;
      });
    }
    if (score > bestScore) {
      bestScore = score;
      bestL = lam;
    }
  }
  const d = design(trainRuns, sp);
  const ys = voxels.map((v) => Float64Array.from(trainRuns.flatMap((r) => Array.from(Y(r, v)))));
  const betas = ridgeSolve(d.M, d.n, d.F, ys, bestL);
  const dt = design([testRuns[0]], sp);
  voxels.forEach((v, i) => {
    const pred = new Float64Array(dt.n);
    for (let t = 0; t < dt.n; t++) for (let f = 0; f < dt.F; f++) pred[t] += dt.M[t * dt.F + f] * betas[i][f];
    const roi = ROI_NAMES[L.atlas[v] - 1];
    results[roi] ??= {};
    results[roi][sp] ??= [];
    results[roi][sp].push(pearson(pred, testMean[i]) || 0);
  });
  console.log(`space ${sp}: λ = ${bestL}`);
}
const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
for (const roi of ROI_NAMES) {
  const vs = voxels.filter((v) => ROI_NAMES[L.atlas[v] - 1] === roi);
  const c = mean(vs.map((v) => ceil.rCeiling[v]));
  const best = FEATURE_SPACES.reduce((a, b) => (mean(results[roi][a]) >= mean(results[roi][b]) ? a : b));
  const winsLow = vs.filter((_, i) => results[roi].low[i] > results[roi].abstract[i]).length;
  console.log(
    `${roi.padEnd(9)} n=${vs.length}  r low ${mean(results[roi].low).toFixed(3)}  mid ${mean(results[roi].mid).toFixed(3)}  abstract ${mean(results[roi].abstract).toFixed(3)}  ceiling ${c.toFixed(3)}  best ${best}; low>abstract in ${winsLow}/${vs.length} voxels`,
  );
}
