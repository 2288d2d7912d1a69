/**
 * Study-mode voxel-wise encoding of one subject: every feature space of a
 * features artifact (each model area and iteration) is mapped to every voxel
 * by ridge regression with α chosen per voxel by leave-one-run-out CV over the
 * training runs, refit on all training runs, and scored on the mean of the
 * repeated test runs. Ceilings come from the test repeats. Which iteration of
 * an area (and which layer overall) a voxel uses is chosen by the same
 * training-run CV score, so the test runs never take part in any choice (the
 * braindnn nested protocol with the train/test split as the outer fold).
 * docs/encoding-study.md gives the equations.
 */
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice, progress } from '../core/progress.js';
import type { Rng } from '../core/prng.js';
import { scanBids, selectFiles, readEvents, type BidsFile } from '../io/bids.js';
import { loadNifti, readMaskedTimeseries } from '../io/nifti.js';
import { readTsv } from '../io/tsv.js';
import { doubleGammaHrf } from '../signal/hrf.js';
import { atlasPathFor, type EncodeConfig } from './config.js';
import {
  asCorrelationCeiling,
  flooredCorrelationCeiling,
  normalise,
  pairwiseReliability,
  reliabilityCeiling,
  signalPower,
  ncsnrCeiling,
  splitHalfReliability,
} from './ceilings.js';
import { cleanRun, clipRowStats, removeDrift, runDesignMatrix, standardiseRows, type ClipRows, type PlayedClip } from './design.js';
import { delayFeatures, hrfConvolve } from './delays.js';
import { benjaminiHochberg } from '../stats/fdr.js';
import { openFeatureStore, readFeatureSpace, type FeatureSpaceRef } from './feature-store.js';
import { blockCount, permutationTestR, type NullScheme } from '../stats/permutation.js';
import { ridgeCV, ridgePredict } from './ridge.js';
import { VOXEL_BLOCK } from './voxel-blocks.js';
import { correlateColumns } from './correlate.js';
import { phaseNullTestR } from '../stats/phase-null.js';

export interface StudyRun {
  file: BidsFile;
  task: string;
  run: string;
  nVols: number;
  events: PlayedClip[];
}

export interface SubjectData {
  subject: string;
  tr: number;
  /** 4×4 row-major voxel → world affine of the BOLD images. */
  affine: Float64Array;
  dims: [number, number, number];
  /** Grid indices (x fastest) of the fitted voxels, ascending. */
  voxels: Int32Array;
  /** Per fitted voxel: index into roiNames, −1 outside every ROI. */
  roiOfVoxel: Int32Array;
  roiNames: string[];
  train: StudyRun[];
  test: StudyRun[];
  /** Cleaned (detrended, z-scored) training runs concatenated: nTrain × nV. */
  yTrain: Float32Array;
  /** Run label per training row. */
  trainGroups: Int32Array;
  /** Cleaned test runs: R × nTest × nV (run, time, voxel). */
  yTestRuns: Float32Array;
  /** Mean over test runs: nTest × nV. */
  yTest: Float32Array;
  nTest: number;
}

const resolveIn = (root: string, p: string): string => (path.isAbsolute(p) ? p : path.join(root, p));

function runsOf(files: BidsFile[], task: string, where: string): StudyRun[] {
  const runs = files
    .filter((f) => f.entities.task === task)
    .map((f) => {
      if (!f.events) throw new InputError(f.path, 'no events.tsv for this run');
      const ev = readEvents(f.events).map((e) => {
        const id = e.extra.stim_id;
        if (id === undefined || id === 'n/a') throw new InputError(f.events ?? f.path, 'events need a stim_id column naming the clip of each event');
        return { onset: e.onset, duration: e.duration, stimId: id };
      });
      return { file: f, task, run: f.entities.run ?? '1', nVols: 0, events: ev };
    })
    .sort((a, b) => Number(a.run) - Number(b.run) || (a.run < b.run ? -1 : 1));
  if (runs.length === 0) throw new InputError(where, `no BOLD runs with task-${task}`);
  return runs;
}

/** The same clips at the same onsets (within 1 ms) in every test run, so volumes can be averaged across runs. */
function checkRepeatedSequence(test: StudyRun[]): void {
  const a = test[0];
  for (const b of test.slice(1)) {
    const same =
      a.events.length === b.events.length && a.events.every((e, i) => e.stimId === b.events[i].stimId && Math.abs(e.onset - b.events[i].onset) < 1e-3);
    if (!same)
      throw new InputError(
        b.file.events ?? b.file.path,
        `test run ${b.run} does not repeat the clip sequence of run ${a.run}; repeated test runs are averaged volume by volume`,
      );
    if (a.nVols !== b.nVols) throw new InputError(b.file.path, `test run ${b.run} has ${b.nVols} volumes, run ${a.run} has ${a.nVols}`);
  }
}

/**
 * Reads one subject's runs (masked to the fitted voxels) and cleans them.
 * Returns the concatenated training data, the test repeats and their mean.
 * `opts.voxels`, given the number of fitted voxels, picks a range [lo, hi)
 * of them to read (a voxel chunk): cleaning is per voxel, so those voxels
 * come out as in a whole-subject read, in 1/N of the memory.
 */
export function readSubject(
  bids: string,
  subject: string,
  cfg: EncodeConfig,
  opts: { voxels?: (nFitted: number) => { lo: number; hi: number } } = {},
): SubjectData {
  const ds = scanBids(bids);
  const sub = subject.replace(/^sub-/, '');
  if (!ds.subjects.includes(sub)) throw new InputError('subject', `sub-${sub} not in ${bids} (subjects: ${ds.subjects.join(', ')})`);
  const bold = selectFiles(ds, { datatype: 'func', suffix: 'bold', sub });
  const train = runsOf(bold, cfg.trainTask, `${bids} sub-${sub}`);
  const test = runsOf(bold, cfg.testTask, `${bids} sub-${sub}`);
  if (train.length < 2) throw new InputError(`${bids} sub-${sub}`, `leave-one-run-out CV needs at least 2 task-${cfg.trainTask} runs, found ${train.length}`);
  if (test.length < 2) throw new InputError(`${bids} sub-${sub}`, `noise ceilings need at least 2 repeated task-${cfg.testTask} runs, found ${test.length}`);

  const tr = Number(train[0].file.sidecar.RepetitionTime);
  for (const r of [...train, ...test]) {
    const t = Number(r.file.sidecar.RepetitionTime);
    if (!(t > 0)) throw new InputError(r.file.path, 'sidecar has no positive RepetitionTime');
    if (Math.abs(t - tr) > 1e-6) throw new InputError(r.file.path, `RepetitionTime ${t} s differs from ${tr} s of the first run`);
  }

  const maskImg = loadNifti(resolveIn(ds.root, atlasPathFor(cfg.atlas.mask, sub)));
  const dseg = loadNifti(resolveIn(ds.root, atlasPathFor(cfg.atlas.dseg, sub)));
  const labelsFile = resolveIn(ds.root, atlasPathFor(cfg.atlas.labels, sub));
  const lt = readTsv(labelsFile);
  if (!lt.columns.includes('index') || !lt.columns.includes('name')) throw new InputError(labelsFile, 'needs columns index and name');
  const roiNames = lt.rows.map((r) => r.name);
  const labelToRoi = new Map<number, number>(lt.rows.map((r, i) => [Number(r.index), i]));
  const dims = maskImg.dims.slice(0, 3) as [number, number, number];
  const nGrid = dims[0] * dims[1] * dims[2];
  const m = maskImg.getData();
  const lab = dseg.getData();
  if (m.length !== nGrid || lab.length !== nGrid) throw new InputError(labelsFile, `mask and dseg grids differ (${m.length} vs ${lab.length} voxels)`);
  const sel = new Uint8Array(nGrid);
  const vox: number[] = [];
  const roiList: number[] = [];
  for (let v = 0; v < nGrid; v++) {
    const roi = lab[v] !== 0 ? (labelToRoi.get(Math.round(lab[v])) ?? -1) : -1;
    const use = cfg.voxels === 'brain' ? m[v] !== 0 : roi >= 0;
    if (!use) continue;
    sel[v] = 1;
    vox.push(v);
    roiList.push(roi);
  }
  if (vox.length === 0) throw new InputError(cfg.atlas.mask, 'selects no voxels');
  if (opts.voxels) {
    const { lo, hi } = opts.voxels(vox.length);
    for (const v of [...vox.slice(0, lo), ...vox.slice(hi)]) sel[v] = 0;
    vox.splice(hi);
    vox.splice(0, lo);
    roiList.splice(hi);
    roiList.splice(0, lo);
  }
  const nV = vox.length;
  const clean = { tr, cutoffSec: cfg.highpassSec, linear: cfg.linearDetrend };

  const bar = progress(`encode: read sub-${sub}`, train.length + test.length);
  const read = (r: StudyRun): Float32Array => {
    const ts = readMaskedTimeseries(r.file.path, sel);
    r.nVols = ts.nT;
    bar.tick();
    return cleanRun(ts.data, ts.nT, nV, clean);
  };
  const trainData = train.map(read);
  const testData = test.map(read);
  bar.done();
  const boldHdr = loadNifti(train[0].file.path);
  const bdims = boldHdr.dims.slice(0, 3);
  if (bdims.some((d, i) => d !== dims[i])) throw new InputError(train[0].file.path, `grid ${bdims.join('×')} differs from the mask's ${dims.join('×')}`);
  checkRepeatedSequence(test);

  const nTrain = train.reduce((s, r) => s + r.nVols, 0);
  const yTrain = new Float32Array(nTrain * nV);
  const trainGroups = new Int32Array(nTrain);
  let o = 0;
  trainData.forEach((d, i) => {
    yTrain.set(d, o * nV);
    trainGroups.fill(i, o, o + train[i].nVols);
    o += train[i].nVols;
  });
  const nTest = test[0].nVols;
  const R = test.length;
  const yTestRuns = new Float32Array(R * nTest * nV);
  const yTest = new Float32Array(nTest * nV);
  testData.forEach((d, i) => {
    yTestRuns.set(d, i * nTest * nV);
    for (let k = 0; k < d.length; k++) yTest[k] += d[k] / R;
  });
  return {
    subject: sub,
    tr,
    affine: boldHdr.affine,
    dims,
    voxels: Int32Array.from(vox),
    roiOfVoxel: Int32Array.from(roiList),
    roiNames,
    train,
    test,
    yTrain,
    trainGroups,
    yTestRuns,
    yTest,
    nTest,
  };
}

export interface VoxelCeilings {
  /** Reliability of the R-run test mean per voxel (variance ratio, 'r2' kind; NaN if undefined). */
  reliability: Float64Array;
  /** Correlation ceiling √reliability per voxel ('r' kind; NaN where reliability ≤ 0). */
  rCeiling: Float64Array;
  /** Signal-power NCSNR per voxel (unitless). */
  ncsnr: Float64Array;
  /** NCSNR ceiling of the R-run mean as a correlation: √(ncsnr²/(ncsnr² + 1/R)). */
  ncsnrRCeiling: Float64Array;
  method: EncodeConfig['ceiling'];
  nRuns: number;
}

/** Noise ceilings of every voxel from the repeated test runs. */
export function voxelCeilings(d: SubjectData, method: EncodeConfig['ceiling'], rng: Rng): VoxelCeilings {
  const dimsR = { nRuns: d.test.length, nT: d.nTest, nV: d.voxels.length };
  const reliability =
    method === 'pairwise'
      ? pairwiseReliability(d.yTestRuns, dimsR).reliability
      : splitHalfReliability(d.yTestRuns, dimsR, { rng: rng.fork('split-half') }).reliability;
  const rCeiling = reliability.map((x) => asCorrelationCeiling(reliabilityCeiling(x)).value);
  const sp = signalPower(d.yTestRuns, dimsR);
  const ncsnrRCeiling = sp.ncsnr.map((s) => asCorrelationCeiling(reliabilityCeiling(ncsnrCeiling(s, dimsR.nRuns))).value);
  return { reliability, rCeiling, ncsnr: sp.ncsnr, ncsnrRCeiling, method, nRuns: dimsR.nRuns };
}

export interface SpaceFit {
  ref: FeatureSpaceRef;
  /** Chosen α per voxel. */
  alpha: Float32Array;
  /** Training-run CV score (r or R² as configured) at the chosen α, per voxel: what picks iterations and layers. */
  cvScore: Float32Array;
  /** Held-out Pearson r on the test mean, per voxel (unitless). */
  r: Float32Array;
  /** Held-out R² on the test mean (1 − SSE/SST), per voxel. */
  r2: Float32Array;
  /** Test prediction, nTest × nV (z units of the cleaned BOLD). */
  pred: Float32Array;
}

/** Design (delayed or HRF-convolved) of the training runs (concatenated) and of the test sequence. */
export function studyDesign(
  features: Float32Array,
  nFeat: number,
  rowSec: number,
  index: ReadonlyMap<string, ClipRows>,
  d: SubjectData,
  cfg: EncodeConfig,
): { xTrain: Float32Array; xTest: Float32Array; p: number } {
  const trainClips = new Map<string, ClipRows>();
  for (const r of d.train) {
    for (const e of r.events) {
      const c = index.get(e.stimId);
      if (!c) throw new InputError(r.file.events ?? r.file.path, `stim_id "${e.stimId}" is not in the features' stimuli.tsv`);
      trainClips.set(e.stimId, c);
    }
  }
  const z = standardiseRows(features, nFeat, clipRowStats(features, nFeat, [...trainClips.values()]));
  const one = (r: StudyRun): Float32Array => runDesignMatrix(z, nFeat, index, rowSec, r.events, r.nVols, d.tr, r.file.events ?? r.file.path);
  const nTrain = d.trainGroups.length;
  const clean = { tr: d.tr, cutoffSec: cfg.highpassSec, linear: cfg.linearDetrend };
  // Response model first (within each run), then the same drift removal the BOLD had, run by run.
  const respond = (x: Float32Array, nT: number): { x: Float32Array; p: number } => {
    if (cfg.response === 'hrf') return { x: hrfConvolve(x, nT, nFeat, doubleGammaHrf(d.tr, 32)), p: nFeat };
    return { x: delayFeatures(x, nT, nFeat, cfg.delays), p: nFeat * cfg.delays.length };
  };
  let p = 0;
  const xTrain: Float32Array[] = [];
  for (const r of d.train) {
    const x = respond(one(r), r.nVols);
    p = x.p;
    xTrain.push(removeDrift(x.x, r.nVols, x.p, clean));
  }
  const all = new Float32Array(nTrain * p);
  let o = 0;
  for (const x of xTrain) {
    all.set(x, o);
    o += x.length;
  }
  const test = respond(one(d.test[0]), d.nTest);
  return { xTrain: all, xTest: removeDrift(test.x, d.nTest, p, clean), p };
}

/**
 * Pearson r and R² (unitless) per column of prediction vs data (both n × v),
 * NaN where a column is constant (the map shows the voxel as unscored).
 */
export function heldOutScores(pred: Float32Array, y: Float32Array, n: number, v: number): { r: Float32Array; r2: Float32Array } {
  return correlateColumns(pred, y, n, v, NaN);
}

/** Fits one feature space to all voxels and scores it on the test mean. */
export function fitSpace(
  ref: FeatureSpaceRef,
  features: Float32Array,
  rowSec: number,
  index: ReadonlyMap<string, ClipRows>,
  d: SubjectData,
  cfg: EncodeConfig,
): SpaceFit {
  const { xTrain, xTest, p } = studyDesign(features, ref.nFeat, rowSec, index, d, cfg);
  const nV = d.voxels.length;
  const n = d.trainGroups.length;
  // Fixed voxel blocks: BLAS rounds a column differently with different neighbours in one GEMM, so voxel chunks stay bitwise equal to this whole-subject fit only if both use the same blocks.
  const cv = ridgeCV({
    X: xTrain,
    n,
    p,
    Y: d.yTrain,
    v: nV,
    alphas: cfg.alphas,
    groups: d.trainGroups,
    selectBy: cfg.selectBy,
    returnWeights: true,
    batchSize: VOXEL_BLOCK,
  });
  if (!cv.weights || !cv.intercept) throw new Error('ridgeCV returned no weights');
  const pred = predictInBlocks(xTest, d.nTest, p, cv.weights, cv.intercept, nV);
  const { r, r2 } = heldOutScores(pred, d.yTest, d.nTest, nV);
  return { ref, alpha: cv.bestAlpha, cvScore: cfg.selectBy === 'r' ? cv.cvR : cv.cvR2, r, r2, pred };
}

/** ridgePredict over voxel blocks of VOXEL_BLOCK columns (nTest × nV, z units). */
function predictInBlocks(xTest: Float32Array, nTest: number, p: number, weights: Float32Array, intercept: Float32Array, nV: number): Float32Array {
  const pred = new Float32Array(nTest * nV);
  for (let lo = 0; lo < nV; lo += VOXEL_BLOCK) {
    const w = Math.min(VOXEL_BLOCK, nV - lo);
    const wb = new Float32Array(p * w);
    for (let j = 0; j < p; j++) wb.set(weights.subarray(j * nV + lo, j * nV + lo + w), j * w);
    const pb = ridgePredict(xTest, nTest, p, wb, intercept.subarray(lo, lo + w), w);
    for (let t = 0; t < nTest; t++) pred.set(pb.subarray(t * w, (t + 1) * w), t * nV + lo);
  }
  return pred;
}

/** Per voxel, the index (into `fits`) of the highest training-CV score; −1 if all are NaN. */
export function selectByCv(fits: readonly SpaceFit[], nV: number): Int32Array {
  const out = new Int32Array(nV).fill(-1);
  for (let v = 0; v < nV; v++) {
    let best = -Infinity;
    fits.forEach((f, i) => {
      if (f.cvScore[v] > best) {
        best = f.cvScore[v];
        out[v] = i;
      }
    });
  }
  return out;
}

export interface ScoredMap {
  /** 'iter-<k>' for one iteration, 'cv' for the per-voxel CV choice among iterations/layers. */
  label: string;
  area: string;
  iteration: number | null;
  r: Float32Array;
  r2: Float32Array;
  alpha: Float32Array;
  /** r / voxel correlation ceiling (NaN where the ceiling is undefined). */
  rNorm: Float32Array;
  /** Block-permutation p per voxel (NaN when nPerm = 0). */
  p: Float64Array;
  /** BH q per voxel. */
  q: Float64Array;
  /** Per voxel, which fit was used (index into EncodingResult.fits). */
  source: Int32Array;
  rois: {
    roi: string;
    nVoxels: number;
    nUndefined: number;
    medianR: number;
    medianRNorm: number;
    medianVoxelRNorm: number;
    ceiling: number;
    p: number;
    nSignificant: number;
  }[];
}

export interface EncodingResult {
  subject: SubjectData;
  model: string;
  ceilings: VoxelCeilings;
  fits: SpaceFit[];
  /** Per iteration of every area, then per area (CV-chosen iteration), then 'best' (CV-chosen layer over all). */
  maps: ScoredMap[];
  areas: string[];
  /** Per voxel: index into `areas` of the area whose CV-chosen iteration has the best CV score. */
  bestArea: Int32Array;
  /** Per voxel: index into `fits` of the best layer by training CV. */
  bestLayer: Int32Array;
  config: EncodeConfig;
}

function median(xs: number[]): number {
  const a = xs.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** Assembles a map whose voxel v takes fit `source[v]`, with ceiling normalisation, permutation p and FDR. */
function scoreMap(
  label: string,
  area: string,
  iteration: number | null,
  source: Int32Array,
  fits: SpaceFit[],
  d: SubjectData,
  ceil: VoxelCeilings,
  cfg: EncodeConfig,
  rng: Rng,
): ScoredMap {
  const nV = d.voxels.length;
  const nT = d.nTest;
  const r = new Float32Array(nV).fill(NaN);
  const r2 = new Float32Array(nV).fill(NaN);
  const alpha = new Float32Array(nV).fill(NaN);
  const rNorm = new Float32Array(nV).fill(NaN);
  const pred = new Float32Array(nT * nV);
  for (let v = 0; v < nV; v++) {
    const f = fits[source[v]];
    if (!f) continue;
    r[v] = f.r[v];
    r2[v] = f.r2[v];
    alpha[v] = f.alpha[v];
    for (let t = 0; t < nT; t++) pred[t * nV + v] = f.pred[t * nV + v];
    // r is a correlation, so it is normalised by the correlation ceiling √reliability, once; the
    // reliability floor keeps unreliable voxels from giving ratios of 10 or more (docs/ceilings.md).
    rNorm[v] = normalise({ kind: 'r', value: r[v] }, flooredCorrelationCeiling(ceil.reliability[v])).value;
  }
  const members = d.roiNames.map((_, k) => {
    const vs: number[] = [];
    for (let v = 0; v < nV; v++) if (d.roiOfVoxel[v] === k) vs.push(v);
    return vs;
  });
  let p: Float64Array<ArrayBufferLike> = new Float64Array(nV).fill(NaN);
  let roiP = d.roiNames.map(() => NaN);
  if (cfg.nPerm > 0) {
    const scheme: NullScheme =
      cfg.nullScheme === 'phase' ? { kind: 'phase' } : { kind: 'block', blockLength: Math.max(1, Math.min(nT, Math.round(cfg.blockSec / d.tr))) };
    if (scheme.kind === 'block') blockCount(nT, scheme.blockLength, 'encode.blockSec');
    const common = {
      rng,
      nPerm: cfg.nPerm,
      roiStatistic: 'median' as const,
      rois: members.map((vs, k) => ({ name: d.roiNames[k], voxels: vs })).filter((x) => x.voxels.length > 0),
    };
    // The phase null in the frequency domain: same draws and p as permutationTestR, GEMMs instead of a pass over time × voxels per draw.
    const res = scheme.kind === 'phase' ? phaseNullTestR(pred, d.yTest, nT, nV, common) : permutationTestR(pred, d.yTest, nT, nV, { ...common, scheme });
    p = res.p;
    roiP = d.roiNames.map((name) => res.rois.find((x) => x.name === name)?.p ?? NaN);
  }
  const q = cfg.nPerm > 0 ? benjaminiHochberg(p, cfg.fdrQ).q : new Float64Array(nV).fill(NaN);
  const rois = members.map((vs, k) => {
    const medR = median(vs.map((v) => r[v]));
    const c = asCorrelationCeiling(reliabilityCeiling(median(vs.map((v) => ceil.reliability[v])))).value;
    return {
      roi: d.roiNames[k],
      nVoxels: vs.length,
      // Voxels whose r or normalised r is undefined (constant series, undefined reliability) leave the medians; they are counted, not hidden.
      nUndefined: vs.filter((v) => Number.isNaN(r[v]) || Number.isNaN(rNorm[v])).length,
      medianR: medR,
      medianRNorm: normalise({ kind: 'r', value: medR }, { kind: 'r', value: c }).value,
      medianVoxelRNorm: median(vs.map((v) => rNorm[v])),
      ceiling: c,
      p: roiP[k],
      nSignificant: vs.filter((v) => q[v] <= cfg.fdrQ).length,
    };
  });
  return { label, area, iteration, r, r2, alpha, rNorm, p, q, source, rois };
}

/** A loaded subject with its ceilings, shared by the models of one features artifact. */
export interface PreparedSubject {
  data: SubjectData;
  ceilings: VoxelCeilings;
}

/** Loads, cleans and computes the noise ceilings of one subject (done once per encode stage). */
export function prepareSubject(bids: string, subject: string, cfg: EncodeConfig, rng: Rng): PreparedSubject {
  const data = readSubject(bids, subject, cfg);
  return { data, ceilings: voxelCeilings(data, cfg.ceiling, rng.fork('ceilings')) };
}

/** Model folders of a features artifact, sorted. */
export function featureModels(featuresDir: string): string[] {
  return [...new Set(openFeatureStore(featuresDir).spaces.map((s) => s.model))];
}

/** The feature spaces of one model folder of a features store (restricted to `encode.areas` when set). */
export function modelSpaces(featuresDir: string, cfg: EncodeConfig, model?: string): { model: string; spaces: FeatureSpaceRef[] } {
  const store = openFeatureStore(featuresDir);
  const models = [...new Set(store.spaces.map((s) => s.model))];
  if (model === undefined && models.length !== 1) throw new InputError(featuresDir, `holds several models (${models.join(', ')}); name one`);
  const m = model ?? models[0];
  if (!models.includes(m)) throw new InputError(featuresDir, `no model folder "${m}" (have ${models.join(', ')})`);
  let spaces = store.spaces.filter((s) => s.model === m);
  if (cfg.areas) {
    const want = new Set(cfg.areas);
    spaces = spaces.filter((s) => want.has(s.area));
    for (const a of cfg.areas) if (!spaces.some((s) => s.area === a)) throw new InputError('encode.areas', `area "${a}" not in ${featuresDir}/${m}`);
  }
  return { model: m, spaces };
}

/** Fits every feature space of `spaces` to the voxels of `d` (one ridge per space; voxels are independent). */
export function fitSpaces(featuresDir: string, spaces: readonly FeatureSpaceRef[], d: SubjectData, cfg: EncodeConfig): SpaceFit[] {
  const store = openFeatureStore(featuresDir);
  const bar = progress(`encode: sub-${d.subject} feature spaces`, spaces.length);
  const fits: SpaceFit[] = [];
  for (const ref of spaces) {
    if (ref.rate !== null && Math.abs(1 / ref.rate - d.tr) > 1e-6)
      notice(`encode: ${ref.file} rows are 1/${ref.rate} s, TR is ${d.tr} s; rows are averaged into volumes by overlap`);
    const rowSec = ref.rate !== null ? 1 / ref.rate : d.tr;
    fits.push(fitSpace(ref, readFeatureSpace(ref), rowSec, store.index, d, cfg));
    bar.tick();
  }
  bar.done();
  return fits;
}

/**
 * Runs the whole study-mode encoding of one subject on one model folder of a
 * features artifact (the only one when `model` is omitted): fits every
 * area × iteration, picks iterations per voxel by training CV, and computes
 * ceiling-normalised r, permutation p and FDR per map and ROI. All r are unitless.
 * `fits`, when given, replaces the fitting (voxel chunks fitted elsewhere and
 * merged, src/encoding/voxel-chunks.ts); everything after the fits is the same.
 */
export function encodeSubject(
  featuresDir: string,
  bids: string,
  subject: string,
  cfg: EncodeConfig,
  rng: Rng,
  opts: { model?: string; prepared?: PreparedSubject; fits?: (spaces: readonly FeatureSpaceRef[], d: SubjectData) => SpaceFit[] } = {},
): EncodingResult {
  const { model, spaces } = modelSpaces(featuresDir, cfg, opts.model);
  const { data: d, ceilings: ceil } = opts.prepared ?? prepareSubject(bids, subject, cfg, rng);
  const nV = d.voxels.length;
  const fits = opts.fits ? opts.fits(spaces, d) : fitSpaces(featuresDir, spaces, d, cfg);
  const areas = [...new Set(fits.map((f) => f.ref.area))];
  const maps: ScoredMap[] = [];
  const permRng = rng.fork(`permutation/${model}`);
  fits.forEach((f, i) =>
    maps.push(
      scoreMap(
        `iter-${f.ref.iteration}`,
        f.ref.area,
        f.ref.iteration,
        new Int32Array(nV).fill(i),
        fits,
        d,
        ceil,
        cfg,
        permRng.fork(`${f.ref.area}/${f.ref.iteration}`),
      ),
    ),
  );
  const areaChoice: Int32Array[] = [];
  for (const a of areas) {
    const idx = fits.map((f, i) => (f.ref.area === a ? i : -1)).filter((i) => i >= 0);
    const local = selectByCv(
      idx.map((i) => fits[i]),
      nV,
    );
    const source = local.map((k) => (k >= 0 ? idx[k] : -1));
    areaChoice.push(source);
    maps.push(scoreMap('cv', a, null, source, fits, d, ceil, cfg, permRng.fork(`${a}/cv`)));
  }
  const bestLayer = selectByCv(fits, nV);
  maps.push(scoreMap('cv', 'best', null, bestLayer, fits, d, ceil, cfg, permRng.fork('best')));
  const bestArea = new Int32Array(nV).fill(-1);
  for (let v = 0; v < nV; v++) if (bestLayer[v] >= 0) bestArea[v] = areas.indexOf(fits[bestLayer[v]].ref.area);
  return { subject: d, model, ceilings: ceil, fits, maps, areas, bestArea, bestLayer, config: cfg };
}
