/**
 * Inputs of the BAS and alignment analyses, read from stage artifacts:
 * study-mode encodings (per-voxel held-out r, reliability, ROI labels), the
 * listeners' genre choices (BIDS beh), the model's per-clip choices (train
 * artifact), and test-clip response patterns for RSA. docs/encoding-study.md
 * (alignment section) and docs/bas.md give the definitions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import type { Rng } from '../core/prng.js';
import { readTsv } from '../io/tsv.js';
import {
  crossValidatedLayerRsa,
  rdm,
  rdmSize,
  rsaNoiseCeiling,
  subRdm,
  zscoreColumns,
  type LayerRdm,
  type RdmComparison,
  type RdmMetric,
} from '../encoding/rsa.js';
import { openFeatureStore, readFeatureSpace } from '../encoding/feature-store.js';
import { betaSeries } from '../encoding/beta-series.js';
import { openEncode, type EncodingIndex } from '../artifacts/encode.js';
import { areaRoiMatrix, type AreaRoiInput } from './correspondence.js';
import type { SubjectTimecourses } from './neural-score.js';
import type { BehaviourInput } from './behaviour.js';

export interface LoadedEncoding {
  dir: string;
  index: EncodingIndex;
  /** nMaps × nV held-out r. */
  r: Float32Array;
  reliability: Float32Array;
  roiOfVoxel: Int32Array;
  /** nTest × nV cleaned test-mean BOLD. */
  testMean: Float32Array;
  nTest: number;
  /** Test predictions of the CV map of each of index.predAreas in the ROI voxels. */
  pred?: { voxels: Int32Array; data: Float32Array } | null;
}

const asFloat = (a: Float32Array | Int32Array): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));
const asInt = (a: Float32Array | Int32Array): Int32Array => (a instanceof Int32Array ? a : Int32Array.from(a));

/** Reads every encoding (index and the matrices align uses) of an encode artifact folder. */
export function readEncodings(dir: string): LoadedEncoding[] {
  return openEncode(dir).map((e) => {
    // Encode writes featuresDir relative to its artifact folder.
    const index = { ...e.index, featuresDir: path.resolve(dir, e.index.featuresDir) };
    const r = e.matrix('R_voxels');
    const rel = e.matrix('Reliability_voxels');
    const roi = e.matrix('Roi_voxels');
    const tm = e.matrix('Testmean_bold');
    if (r.shape[1] !== index.nVoxels || rel.data.length !== index.nVoxels || roi.data.length !== index.nVoxels)
      throw new InputError(e.file, 'matrices disagree with nVoxels');
    let pred: LoadedEncoding['pred'] = null;
    if (e.has('Pred_roivoxels') && e.has('Roivoxel_index')) {
      const p = e.matrix('Pred_roivoxels');
      const vox = asInt(e.matrix('Roivoxel_index').data);
      if (p.shape.length !== 3 || p.shape[0] !== index.predAreas.length || p.shape[1] !== tm.shape[0] || p.shape[2] !== vox.length)
        throw new InputError(e.file, `Pred_roivoxels has shape (${p.shape.join(', ')}), expected (${index.predAreas.length}, ${tm.shape[0]}, ${vox.length})`);
      pred = { voxels: vox, data: asFloat(p.data) };
    }
    return {
      dir,
      index,
      r: asFloat(r.data),
      reliability: asFloat(rel.data),
      roiOfVoxel: asInt(roi.data),
      testMean: asFloat(tm.data),
      nTest: tm.shape[0],
      pred,
    };
  });
}

/**
 * Seconds after a clip's onset from which test volumes count as that clip's
 * response in the stimulus bootstrap (about the HRF's rise to its peak). A
 * volume belongs to the last clip whose onset + lag it has passed; volumes
 * before the first clip's go to the first clip.
 */
export const STIMULUS_LAG_SEC = 4;

/** Test clip index of each test volume (clips in onset order). */
export function clipOfVolumes(clips: { onset: number }[], nT: number, tr: number, lagSec = STIMULUS_LAG_SEC): Int32Array {
  const onsets = clips.map((c) => c.onset).sort((a, b) => a - b);
  const out = new Int32Array(nT);
  let k = 0;
  for (let t = 0; t < nT; t++) {
    while (k + 1 < onsets.length && onsets[k + 1] + lagSec <= t * tr) k++;
    out[t] = k;
  }
  return out;
}

/** The subject's test time courses of `areas` in its ROI voxels, with columns offset into the pooled input; null without stored predictions. */
function subjectTimecourses(e: LoadedEncoding, areas: string[], offset: number): SubjectTimecourses | null {
  const predAreas = e.index.predAreas;
  if (!e.pred || !predAreas || areas.some((a) => !predAreas.includes(a))) return null;
  const n = e.pred.voxels.length;
  const nT = e.nTest;
  const nV = e.index.nVoxels;
  const pred = new Float32Array(areas.length * nT * n);
  areas.forEach((a, ai) =>
    pred.set(e.pred?.data.subarray(predAreas.indexOf(a) * nT * n, (predAreas.indexOf(a) + 1) * nT * n) ?? new Float32Array(0), ai * nT * n),
  );
  const data = new Float32Array(nT * n);
  for (let t = 0; t < nT; t++) for (let j = 0; j < n; j++) data[t * n + j] = e.testMean[t * nV + e.pred.voxels[j]];
  return {
    nT,
    clipOfVolume: clipOfVolumes(e.index.clips, nT, e.index.tr),
    nClips: e.index.clips.length,
    voxels: Int32Array.from(e.pred.voxels, (v) => v + offset),
    pred,
    data,
  };
}

/** Lower-case letters and digits only: 'T2/T3' and 't2t3' match, 'PB' and 'pb' match. */
export const nameKey = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Pools the encodings of one model over subjects into the area × voxel input
 * of computeBas: one row per area (its CV-chosen iteration), voxels of all
 * subjects side by side with their subject recorded (s_r is scored per
 * subject and averaged), ROIs by name.
 */
export function pooledAreaRoiInput(encs: LoadedEncoding[], areaSet: 'areas' | 'best' = 'areas'): AreaRoiInput {
  const areas = areaSet === 'best' ? ['best'] : encs[0].index.areas.slice();
  const rois = encs[0].index.rois.slice();
  for (const e of encs) {
    if (e.index.rois.join('\u0000') !== rois.join('\u0000')) throw new InputError(e.dir, `ROI list ${e.index.rois.join(', ')} differs from ${rois.join(', ')}`);
    for (const a of areas) if (a !== 'best' && !e.index.areas.includes(a)) throw new InputError(e.dir, `no area ${a}`);
  }
  const nVoxels = encs.reduce((s, e) => s + e.index.nVoxels, 0);
  const r = new Float64Array(areas.length * nVoxels);
  const reliability = new Float64Array(nVoxels);
  const roiOfVoxel = new Int32Array(nVoxels);
  const subjectOfVoxel = new Int32Array(nVoxels);
  const timecourses: (SubjectTimecourses | null)[] = [];
  let o = 0;
  for (const [si, e] of encs.entries()) {
    timecourses.push(areaSet === 'areas' ? subjectTimecourses(e, areas, o) : null);
    const nV = e.index.nVoxels;
    areas.forEach((a, ai) => {
      const m = e.index.maps.find((x) => x.area === a && x.label === 'cv');
      if (!m) throw new InputError(e.dir, `no CV map for area ${a}`);
      for (let v = 0; v < nV; v++) r[ai * nVoxels + o + v] = e.r[m.row * nV + v];
    });
    for (let v = 0; v < nV; v++) {
      reliability[o + v] = e.reliability[v];
      roiOfVoxel[o + v] = e.roiOfVoxel[v];
      subjectOfVoxel[o + v] = si;
    }
    o += nV;
  }
  const complete = timecourses.every((x) => x !== null) ? (timecourses as SubjectTimecourses[]) : undefined;
  return {
    areas,
    rois,
    r,
    nVoxels,
    roiOfVoxel,
    reliability,
    subjects: encs.map((e) => e.index.subject),
    subjectOfVoxel,
    ...(complete ? { timecourses: complete } : {}),
  };
}

/** Resolves configured (area, roi) pairs to the names the encodings use (ignoring case and punctuation). */
export function resolvePairNames(pairs: { area: string; roi: string }[], areas: string[], rois: string[]): { area: string; roi: string }[] {
  return pairs.map((p) => {
    const a = areas.find((x) => nameKey(x) === nameKey(p.area));
    const r = rois.find((x) => nameKey(x) === nameKey(p.roi));
    if (!a) throw new InputError('align.bas.pairs', `area "${p.area}" matches none of the encoded areas ${areas.join(', ')}`);
    if (!r) throw new InputError('align.bas.pairs', `ROI "${p.roi}" matches none of ${rois.join(', ')}`);
    return { area: a, roi: r };
  });
}

/** Whether any listener of a BIDS dataset has a `sub-*_task-genre_beh.tsv` (genre judgements for s_b). */
export function hasListenerChoices(bids: string): boolean {
  return fs.readdirSync(bids).some((s) => s.startsWith('sub-') && fs.existsSync(path.join(bids, s, 'beh', `${s}_task-genre_beh.tsv`)));
}

/** Listener choices: stim_id → (true genre, responses) from every `sub-*_task-genre_beh.tsv` of a BIDS dataset. */
export function readHumanChoices(bids: string): { subjects: string[]; trials: Map<string, { trueGenre: string; responses: Map<string, string> }> } {
  const trials = new Map<string, { trueGenre: string; responses: Map<string, string> }>();
  const subjects: string[] = [];
  for (const s of fs
    .readdirSync(bids)
    .filter((d) => d.startsWith('sub-'))
    .sort()) {
    const file = path.join(bids, s, 'beh', `${s}_task-genre_beh.tsv`);
    if (!fs.existsSync(file)) continue;
    const t = readTsv(file);
    for (const c of ['stim_id', 'true_genre', 'response']) if (!t.columns.includes(c)) throw new InputError(file, `missing column "${c}"`);
    subjects.push(s);
    for (const r of t.rows) {
      const e = trials.get(r.stim_id) ?? { trueGenre: r.true_genre, responses: new Map<string, string>() };
      if (e.trueGenre !== r.true_genre)
        throw new InputError(file, `clip ${r.stim_id}: true genre ${r.true_genre} differs from another listener's file (${e.trueGenre})`);
      if (r.response !== 'n/a') e.responses.set(s, r.response);
      trials.set(r.stim_id, e);
    }
  }
  if (subjects.length < 2)
    throw new InputError(
      bids,
      `human–human consistency needs genre judgements of at least 2 listeners (sub-*/beh/sub-*_task-genre_beh.tsv), found ${subjects.length}`,
    );
  return { subjects, trials };
}

/**
 * BehaviourInput over the clips both the model and the listeners judged
 * (clips in stim_id order, genres sorted), with the model's softmax when
 * `probs` covers every such clip (genres the model has no output for get 0,
 * genres only the model knows join the list).
 */
export function behaviourInput(
  model: Map<string, string>,
  humans: ReturnType<typeof readHumanChoices>,
  probs?: Map<string, Map<string, number>> | null,
): { input: BehaviourInput; clips: string[]; genres: string[] } {
  const clips = [...model.keys()].filter((c) => humans.trials.has(c)).sort();
  if (clips.length < 2) throw new InputError('behaviour', `the model and the listeners share ${clips.length} judged clips; need at least 2`);
  const genreSet = new Set<string>();
  for (const c of clips) {
    const t = humans.trials.get(c);
    if (!t) continue;
    genreSet.add(t.trueGenre);
    genreSet.add(model.get(c) as string);
    for (const g of t.responses.values()) genreSet.add(g);
  }
  const useProbs = !!probs && clips.every((c) => probs.has(c));
  // Every genre the model has an output for, so its softmax rows keep summing to 1.
  if (useProbs) for (const c of clips) for (const g of probs?.get(c)?.keys() ?? []) genreSet.add(g);
  const genres = [...genreSet].sort();
  const gi = (g: string): number => genres.indexOf(g);
  const H = humans.subjects.length;
  const hum = new Int32Array(H * clips.length).fill(-1);
  clips.forEach((c, k) => {
    const t = humans.trials.get(c);
    humans.subjects.forEach((s, h) => {
      const g = t?.responses.get(s);
      if (g !== undefined) hum[h * clips.length + k] = gi(g);
    });
  });
  let modelProbs: Float64Array | undefined;
  if (useProbs) {
    const p = new Float64Array(clips.length * genres.length);
    clips.forEach((c, k) => {
      for (const [g, v] of probs?.get(c) ?? []) p[k * genres.length + gi(g)] = v;
    });
    modelProbs = p;
  }
  return {
    input: {
      nGenres: genres.length,
      trueGenre: Int32Array.from(clips.map((c) => gi(humans.trials.get(c)?.trueGenre ?? ''))),
      model: Int32Array.from(clips.map((c) => gi(model.get(c) as string))),
      ...(modelProbs ? { modelProbs } : {}),
      humans: hum,
      nHumans: H,
    },
    clips,
    genres,
  };
}

/**
 * Alignment of one model: mean over `rois` of the pooled (all subjects)
 * ceiling-normalised median r of its best layer per voxel (unitless; NaN if
 * an ROI has no ceiling).
 */
export function alignmentScore(encs: LoadedEncoding[], rois: string[]): { score: number; perRoi: Record<string, number> } {
  const inp = pooledAreaRoiInput(encs, 'best');
  const m = areaRoiMatrix(inp).normalised;
  const perRoi: Record<string, number> = {};
  let s = 0;
  for (const roi of rois) {
    const k = inp.rois.findIndex((x) => nameKey(x) === nameKey(roi));
    if (k < 0) throw new InputError('align.alignmentRois', `ROI "${roi}" not among ${inp.rois.join(', ')}`);
    perRoi[inp.rois[k]] = m[k];
    s += m[k];
  }
  return { score: s / rois.length, perRoi };
}

/** Mean cleaned BOLD of each test clip: volumes whose time t·TR lies in [onset + w0, onset + duration + w1). nClips × nV. */
export function clipPatterns(e: LoadedEncoding, windowSec: [number, number]): Float64Array {
  const nV = e.index.nVoxels;
  const clips = e.index.clips;
  const out = new Float64Array(clips.length * nV);
  clips.forEach((c, k) => {
    const dur = Number.isFinite(c.duration) ? c.duration : 0;
    const t0 = c.onset + windowSec[0];
    const t1 = c.onset + dur + windowSec[1];
    let n = 0;
    for (let t = 0; t < e.nTest; t++) {
      const time = t * e.index.tr;
      if (time < t0 || time >= t1) continue;
      n++;
      for (let v = 0; v < nV; v++) out[k * nV + v] += e.testMean[t * nV + v];
    }
    if (n === 0) throw new InputError(e.dir, `clip ${c.stimId} at ${c.onset} s has no volume in its response window`);
    for (let v = 0; v < nV; v++) out[k * nV + v] /= n;
  });
  return out;
}

export interface RsaResult {
  /** Mean over subjects and ROIs of the cross-validated layer RSA score (unitless). */
  score: number;
  perRoi: Record<
    string,
    {
      score: number;
      /** Leave-one-subject-out bounds on the same n(n−1)/2 cells as the score (null with one subject). */
      ceilingLower: number | null;
      ceilingUpper: number | null;
      nClips: number;
      nCells: number;
      /** RDM cells taken from each layer, summed over subjects and fold repeats. */
      chosen: Record<string, number>;
      /** Stimulus-permutation p-value of the score (null when nPerm = 0). */
      p: number | null;
    }
  >;
}

export interface RsaOptions {
  metric: RdmMetric;
  comparison: RdmComparison;
  zscore: boolean;
  folds: number;
  repeats: number;
  response: 'glm' | 'window';
  windowSec: [number, number];
  rng: Rng;
  /** Stimulus-label permutations for a per-ROI p-value (0 or absent: none). */
  nPerm?: number;
}

/** Clip response patterns (nClips × nV, the encoding's clip order) by the configured estimator. */
export function clipResponses(e: LoadedEncoding, opts: Pick<RsaOptions, 'response' | 'windowSec'>): Float64Array {
  if (opts.response === 'window') return clipPatterns(e, opts.windowSec);
  const dur = (c: { duration: number }): number => (Number.isFinite(c.duration) ? c.duration : 0);
  return betaSeries(
    e.testMean,
    e.nTest,
    e.index.nVoxels,
    e.index.clips.map((c) => ({ onset: c.onset, duration: dur(c) })),
    e.index.tr,
  );
}

/** Condensed RDM of clip patterns, z-scored per column across clips first when asked. */
function clipRdm(X: Float64Array, nClips: number, nCols: number, o: { metric: RdmMetric; zscore: boolean }): Float64Array {
  return rdm(o.zscore ? zscoreColumns(X, nClips, nCols) : X, nClips, nCols, o.metric);
}

/**
 * Mantel-style permutation p of an ROI's RSA score: the test clips' labels of
 * every subject's brain RDM are permuted (one permutation for all subjects:
 * the clips, not the subjects, are exchangeable under the null), the layer
 * choice is cross-validated again on the same folds, and
 * p = (1 + #{mean score* ≥ score}) / (1 + nPerm).
 */
function rsaPermutationP(layers: LayerRdm[], brainRdms: Float64Array[], subjects: string[], roi: string, score: number, opts: RsaOptions): number {
  const nPerm = opts.nPerm ?? 0;
  const n = rdmSize(brainRdms[0].length);
  const rng = opts.rng.fork(`perm/${roi}`);
  let atLeast = 0;
  for (let i = 0; i < nPerm; i++) {
    const perm = rng.permutation(n);
    let sum = 0;
    brainRdms.forEach((b, s) => {
      sum += crossValidatedLayerRsa(layers, subRdm(b, n, perm), {
        rng: opts.rng.fork(`${subjects[s]}/${roi}`),
        folds: opts.folds,
        repeats: opts.repeats,
        comparison: opts.comparison,
      }).score;
    });
    if (sum / brainRdms.length >= score) atLeast++;
  }
  return (1 + atLeast) / (1 + nPerm);
}

/**
 * RSA of one model: per subject and ROI, the brain RDM over test clips is
 * compared with every area/iteration RDM (clip-mean features), the layer
 * chosen by stimulus-fold cross-validation (crossValidatedLayerRsa); averaged
 * over subjects. The leave-one-subject-out ceiling (≥ 2 subjects with the
 * same test clips) is computed on the same cells as the score. Every ROI in
 * `rois` is scored (a noise-only control ROI shows the chance level); `score`
 * averages `scoreRois`.
 */
export function modelRsa(encs: LoadedEncoding[], rois: string[], opts: RsaOptions, scoreRois: string[] = rois): RsaResult {
  const store = openFeatureStore(encs[0].index.featuresDir);
  // Subjects may hear the test clips in different orders: RDMs are indexed by sorted stim id.
  const clipIds = encs[0].index.clips.map((c) => c.stimId).sort();
  const layers: LayerRdm[] = store.spaces.map((sp) => {
    const X = readFeatureSpace(sp);
    const means = new Float64Array(clipIds.length * sp.nFeat);
    clipIds.forEach((id, k) => {
      const rows = store.index.get(id);
      if (!rows || rows.nRows === 0) throw new InputError(store.dir, `no feature rows for test clip ${id}`);
      for (let r = rows.rowStart; r < rows.rowStart + rows.nRows; r++)
        for (let j = 0; j < sp.nFeat; j++) means[k * sp.nFeat + j] += X[r * sp.nFeat + j] / rows.nRows;
    });
    return { name: `${sp.area}/iter-${sp.iteration}`, rdm: clipRdm(means, clipIds.length, sp.nFeat, opts) };
  });
  const patterns = encs.map((e) => clipResponses(e, opts));
  const perRoi: RsaResult['perRoi'] = {};
  let total = 0;
  const scored = new Set(scoreRois.map(nameKey));
  for (const roi of rois) {
    const voxels = encs.map((e) => {
      const k = e.index.rois.findIndex((x) => nameKey(x) === nameKey(roi));
      if (k < 0) throw new InputError(e.dir, `ROI "${roi}" not among ${e.index.rois.join(', ')}`);
      const vox: number[] = [];
      for (let v = 0; v < e.index.nVoxels; v++) if (e.roiOfVoxel[v] === k) vox.push(v);
      return vox;
    });
    const small = voxels.findIndex((v) => v.length < 2);
    if (small >= 0) {
      const msg = `ROI ${roi} has ${voxels[small].length} voxels in sub-${encs[small].index.subject}; RSA needs at least 2`;
      // An ROI outside the alignment score (e.g. a tiny label of a real atlas) must not stop the stage.
      if (scored.has(nameKey(roi))) throw new InputError(encs[small].dir, msg);
      notice(`align: ${msg}; it is left out of rsa.tsv`);
      continue;
    }
    const brainRdms: Float64Array[] = [];
    let sum = 0;
    let nCells = 0;
    const chosen: Record<string, number> = {};
    encs.forEach((e, s) => {
      const order = clipIds.map((id) => e.index.clips.findIndex((c) => c.stimId === id));
      if (order.some((i) => i < 0) || e.index.clips.length !== clipIds.length)
        throw new InputError(e.dir, 'test clips differ between subjects; RSA pools subjects over the same clips');
      const vox = voxels[s];
      const pat = patterns[s];
      const sub = new Float64Array(clipIds.length * vox.length);
      for (let c = 0; c < clipIds.length; c++) vox.forEach((v, j) => (sub[c * vox.length + j] = pat[order[c] * e.index.nVoxels + v]));
      const b = clipRdm(sub, clipIds.length, vox.length, opts);
      brainRdms.push(b);
      const cv = crossValidatedLayerRsa(layers, b, {
        rng: opts.rng.fork(`${e.index.subject}/${roi}`),
        folds: opts.folds,
        repeats: opts.repeats,
        comparison: opts.comparison,
      });
      sum += cv.score;
      nCells = cv.nCells;
      for (const [n, c] of Object.entries(cv.chosen)) chosen[n] = (chosen[n] ?? 0) + c;
    });
    const ceil = brainRdms.length >= 2 ? rsaNoiseCeiling(brainRdms, opts.comparison) : null;
    const score = sum / encs.length;
    const p = opts.nPerm
      ? rsaPermutationP(
          layers,
          brainRdms,
          encs.map((e) => e.index.subject),
          roi,
          score,
          opts,
        )
      : null;
    perRoi[roi] = { score, ceilingLower: ceil?.lower ?? null, ceilingUpper: ceil?.upper ?? null, nClips: clipIds.length, nCells, chosen, p };
  }
  for (const roi of scoreRois) {
    const hit = Object.keys(perRoi).find((k) => nameKey(k) === nameKey(roi));
    if (!hit) throw new InputError('align.alignmentRois', `ROI "${roi}" was not scored by RSA`);
    total += perRoi[hit].score;
  }
  return { score: total / scoreRois.length, perRoi };
}
