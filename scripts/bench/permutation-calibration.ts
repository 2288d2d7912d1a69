/**
 * Calibration of the voxel and ROI permutation tests (src/stats/permutation.ts)
 * on null datasets generated like the study: the mini-study's test-run design
 * (30 clips of 6 s, jittered gaps, TR 1.5 s, 3 repeated runs averaged), data =
 * AR(1) noise (φ of the synth config) plus slow drift, prediction = HRF-convolved
 * smooth null features through random voxel weights, both drift-cleaned as the
 * encode stage cleans them. Nothing links prediction and data, so every
 * rejection is a false positive.
 *
 * Independent units are datasets: the voxel rate uses one voxel per dataset and
 * the ROI rate the ROI's median-r test, so binomial CIs over datasets are
 * valid; the rate over all voxels is printed without a CI (voxels of one
 * dataset share features and permutations).
 *
 * Usage: npx tsx scripts/bench/permutation-calibration.ts [--datasets 1000] [--nPerm 999] [--voxels 20] [--seed 1]
 * A benchmark, not a test: a few minutes on one core.
 */
import { Rng } from '../../src/core/prng.js';
import { permutationTestR, type NullScheme } from '../../src/stats/permutation.js';
import { cleanRun, removeDrift } from '../../src/encoding/design.js';
import { defaultSynthConfig } from '../../src/synth/config.js';
import { chooseTestStims, designRuns, runRegressors, type SpaceFeatures } from '../../src/synth/fmri.js';
import { FEATURE_RATE } from '../../src/synth/features.js';
import { encodeConfigSchema } from '../../src/encoding/config.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const N_DATASETS = arg('datasets', 1000);
const N_PERM = arg('nPerm', 999);
const N_VOX = arg('voxels', 20);
const SEED = arg('seed', 1);
const N_FEAT = 8;
const LEVELS = [0.05, 0.01];

const synth = defaultSynthConfig();
const fm = synth.fmri;
const enc = encodeConfigSchema.parse({});
const clean = { tr: fm.tr, cutoffSec: enc.highpassSec, linear: enc.linearDetrend };
const nStim = synth.stimuli.genres.length * synth.stimuli.clipsPerGenre;
const stimGenre = Array.from({ length: nStim }, (_, i) => Math.floor(i / synth.stimuli.clipsPerGenre));

/** Smooth null features per clip: AR(1) at the feature rate (φ = 0.95 per 0.1 s), unit variance. */
function nullFeatures(rng: Rng): SpaceFeatures {
  const frames = Math.round(synth.stimuli.clipSec * FEATURE_RATE);
  const phi = 0.95;
  const perStim = Array.from({ length: nStim }, () => {
    const m = new Float32Array(frames * N_FEAT);
    for (let f = 0; f < N_FEAT; f++) {
      let x = rng.normal();
      for (let t = 0; t < frames; t++) {
        m[t * N_FEAT + f] = x;
        x = phi * x + Math.sqrt(1 - phi * phi) * rng.normal();
      }
    }
    return m;
  });
  return { names: Array.from({ length: N_FEAT }, (_, f) => `null${f}`), perStim };
}

/** AR(1) noise at TR resolution plus slow drift (as src/synth/fmri.ts renders it), nT × nV. */
function noiseRun(nT: number, rng: Rng): Float32Array {
  const out = new Float32Array(nT * N_VOX);
  const phi = fm.ar1;
  for (let v = 0; v < N_VOX; v++) {
    let e = rng.normal();
    const a = [rng.normal(), rng.normal(), rng.normal()].map((x) => 0.5 * x);
    const lin = 0.5 * rng.normal();
    for (let t = 0; t < nT; t++) {
      let d = lin * (t / nT - 0.5);
      for (let j = 1; j <= 3; j++) d += a[j - 1] * Math.cos((Math.PI * j * t) / nT);
      out[t * N_VOX + v] = e + d;
      e = phi * e + Math.sqrt(1 - phi * phi) * rng.normal();
    }
  }
  return out;
}

/** One null dataset: cleaned prediction and cleaned test-mean data, nT × nV each. */
function nullDataset(rng: Rng): { pred: Float32Array; data: Float32Array; nT: number } {
  const test = chooseTestStims(stimGenre, fm.testClips, rng.fork('test'));
  const runs = designRuns(nStim, test, synth.stimuli.clipSec, fm, rng.fork('design')).filter((r) => r.task === 'test');
  const nT = runs[0].nVols;
  const X = runRegressors(runs[0], fm.tr, nullFeatures(rng.fork('features')));
  removeDrift(X, nT, N_FEAT, clean);
  // Voxel weights: a shared ROI profile plus private parts, as the synth plants them.
  const shared = rng.normals(N_FEAT);
  const pred = new Float32Array(nT * N_VOX);
  for (let v = 0; v < N_VOX; v++) {
    const w = Array.from({ length: N_FEAT }, (_, f) => 0.6 * shared[f] + 0.8 * rng.normal());
    for (let t = 0; t < nT; t++) {
      let s = 0;
      for (let f = 0; f < N_FEAT; f++) s += X[t * N_FEAT + f] * w[f];
      pred[t * N_VOX + v] = s;
    }
  }
  const data = new Float32Array(nT * N_VOX);
  for (let r = 0; r < runs.length; r++) {
    const y = cleanRun(noiseRun(nT, rng.fork(`run-${r}`)), nT, N_VOX, clean);
    for (let i = 0; i < y.length; i++) data[i] += y[i] / runs.length;
  }
  return { pred, data, nT };
}

/** Wilson score interval for k successes in n trials (two-sided 95 %). */
function wilson(k: number, n: number, z = 1.959964): [number, number] {
  const p = k / n;
  const den = 1 + (z * z) / n;
  const mid = (p + (z * z) / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / den;
  return [Math.max(0, mid - half), Math.min(1, mid + half)];
}

const blockLength = Math.round(enc.blockSec / fm.tr);
const schemes: { name: string; scheme: NullScheme }[] = [
  { name: `block (${enc.blockSec} s = ${blockLength} TRs)`, scheme: { kind: 'block', blockLength } },
  { name: 'circular shift', scheme: { kind: 'circular' } },
];
const root = new Rng(SEED, 'permutation-calibration');
const counts = schemes.map(() => ({ voxel: LEVELS.map(() => 0), roi: LEVELS.map(() => 0), all: LEVELS.map(() => 0) }));
let nT = 0;
const t0 = Date.now();
for (let d = 0; d < N_DATASETS; d++) {
  const ds = nullDataset(root.fork(`dataset-${d}`));
  nT = ds.nT;
  schemes.forEach((s, i) => {
    const res = permutationTestR(ds.pred, ds.data, ds.nT, N_VOX, {
      rng: root.fork(`perm-${d}-${i}`),
      scheme: s.scheme,
      nPerm: N_PERM,
      rois: [{ name: 'roi', voxels: Array.from({ length: N_VOX }, (_, v) => v) }],
      roiStatistic: 'median',
    });
    LEVELS.forEach((a, l) => {
      if (res.p[0] <= a) counts[i].voxel[l]++;
      if (res.rois[0].p <= a) counts[i].roi[l]++;
      for (let v = 0; v < N_VOX; v++) if (res.p[v] <= a) counts[i].all[l]++;
    });
  });
  if ((d + 1) % 50 === 0) process.stderr.write(`${d + 1}/${N_DATASETS} datasets, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
const pc = (x: number): string => `${(100 * x).toFixed(1)} %`;
console.log(
  `${N_DATASETS} null datasets: T = ${nT} volumes (TR ${fm.tr} s, mean of ${fm.testRuns} test runs, AR(1) φ = ${fm.ar1}), ${N_VOX} voxels, ${N_PERM} permutations, one-sided; ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
console.log('scheme | α | voxel FPR [95 % Wilson CI] | ROI (median r) FPR [95 % CI] | all-voxel rate');
schemes.forEach((s, i) => {
  LEVELS.forEach((a, l) => {
    const v = counts[i].voxel[l];
    const r = counts[i].roi[l];
    const [vl, vh] = wilson(v, N_DATASETS);
    const [rl, rh] = wilson(r, N_DATASETS);
    console.log(
      `${s.name} | ${a} | ${pc(v / N_DATASETS)} [${pc(vl)}, ${pc(vh)}] | ${pc(r / N_DATASETS)} [${pc(rl)}, ${pc(rh)}] | ${pc(counts[i].all[l] / (N_DATASETS * N_VOX))}`,
    );
  });
});
