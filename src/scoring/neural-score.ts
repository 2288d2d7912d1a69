/**
 * The neural part s_r of BAS, per subject: each voxel's noise-corrected
 * explained variance q = max(r, 0)² / max(ρ, floor), its median over an ROI's
 * voxels, and per paired area a prediction level plus a specificity (how much
 * more of its ROI's variance the paired area explains than the other paired
 * areas do). Subjects are scored separately and averaged. Equations and the
 * reasons for each choice: docs/bas.md.
 */
import { InputError } from '../core/errors.js';
import { noiseCorrectedR2, TUCKUTE_RELIABILITY_FLOOR } from '../encoding/ceilings.js';
import type { AreaRoiInput, IndexPairs } from './correspondence.js';

/** A subset of voxels per subject (may repeat: a bootstrap resample). */
export type VoxelSelection = Int32Array[];

export interface SubjectCells {
  /** Subject labels, in the order of the arrays below. */
  subjects: string[];
  /** nSubjects × nAreas × nRois: median over the subject's ROI voxels of q (unitless; NaN for an ROI with no defined voxel). */
  cells: Float64Array;
  /** nSubjects × nAreas × nRois: ROI voxels left out of the median because q is undefined (r or ρ is NaN). */
  nUndefined: Int32Array;
  /** nSubjects × nRois: voxels in the ROI. */
  nVoxels: Int32Array;
  nAreas: number;
  nRois: number;
}

/** Voxel indices of each subject (single-subject input: one subject 'all'). */
export function voxelsBySubject(inp: AreaRoiInput): { subjects: string[]; voxels: VoxelSelection } {
  const labels = inp.subjectOfVoxel;
  if (!labels) return { subjects: inp.subjects?.slice(0, 1) ?? ['all'], voxels: [Int32Array.from({ length: inp.nVoxels }, (_, v) => v)] };
  const subjects = inp.subjects ?? [];
  const lists: number[][] = subjects.map(() => []);
  for (let v = 0; v < inp.nVoxels; v++) lists[labels[v]].push(v);
  return { subjects: subjects.slice(), voxels: lists.map((l) => Int32Array.from(l)) };
}

function medianInPlace(a: number[]): number {
  if (a.length === 0) return NaN;
  a.sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * Median noise-corrected r² per subject, area and ROI. `selection` gives the
 * voxels of each subject (default: all of them); `labels` overrides the ROI
 * labels (the correspondence permutation test).
 */
export function subjectCells(
  inp: AreaRoiInput,
  opts: { floor?: number; selection?: { subjects: string[]; voxels: VoxelSelection }; labels?: Int32Array } = {},
): SubjectCells {
  const floor = opts.floor ?? TUCKUTE_RELIABILITY_FLOOR;
  const sel = opts.selection ?? voxelsBySubject(inp);
  const A = inp.areas.length;
  const R = inp.rois.length;
  const V = inp.nVoxels;
  const lab = opts.labels ?? inp.roiOfVoxel;
  const S = sel.voxels.length;
  const cells = new Float64Array(S * A * R);
  const nUndefined = new Int32Array(S * A * R);
  const nVoxels = new Int32Array(S * R);
  const members: number[][] = Array.from({ length: R }, () => []);
  const scratch: number[] = [];
  for (let s = 0; s < S; s++) {
    for (const m of members) m.length = 0;
    for (const v of sel.voxels[s]) if (lab[v] >= 0) members[lab[v]].push(v);
    for (let k = 0; k < R; k++) nVoxels[s * R + k] = members[k].length;
    for (let a = 0; a < A; a++) {
      for (let k = 0; k < R; k++) {
        scratch.length = 0;
        let undef = 0;
        for (const v of members[k]) {
          const q = noiseCorrectedR2(inp.r[a * V + v], inp.reliability[v], floor);
          if (Number.isNaN(q)) undef++;
          else scratch.push(q);
        }
        cells[(s * A + a) * R + k] = medianInPlace(scratch);
        nUndefined[(s * A + a) * R + k] = undef;
      }
    }
  }
  return { subjects: sel.subjects, cells, nUndefined, nVoxels, nAreas: A, nRois: R };
}

const clip = (x: number, lo: number, hi: number): number => (Number.isNaN(x) ? NaN : Math.min(hi, Math.max(lo, x)));

export interface PairTerms {
  /** C_{a_i,R_i}: median noise-corrected r² of the paired area in its ROI. */
  level: number;
  /** C_{a_i,R_i} − mean_{j≠i} C_{a_j,R_i}: what the paired area explains beyond the other paired areas, in its ROI. */
  specificity: number;
  /** ½ [clip(level) + clip(specificity)]: the pair's share of s_r. */
  score: number;
}

/** The s_r terms of every pair from one subject's area × ROI cells (nAreas × nRois row-major). */
export function pairTerms(cells: ArrayLike<number>, nRois: number, pairs: IndexPairs, bounds: { lo: number; hi: number }): PairTerms[] {
  const K = pairs.length;
  return pairs.map(([a, k], i) => {
    const level = cells[a * nRois + k];
    let others = 0;
    for (let j = 0; j < K; j++) if (j !== i) others += cells[pairs[j][0] * nRois + k];
    // With a single pair there is no competing area: specificity is undefined and the score is the level alone.
    const specificity = K > 1 ? level - others / (K - 1) : NaN;
    const score = K > 1 ? (clip(level, bounds.lo, bounds.hi) + clip(specificity, bounds.lo, bounds.hi)) / 2 : clip(level, bounds.lo, bounds.hi);
    return { level, specificity, score };
  });
}

export interface NeuralScore {
  /** mean over subjects of the subject's s_r (unitless; 0 … 1 with the default clip). */
  sR: number;
  /** Per subject: s_r and its pair terms. */
  perSubject: { subject: string; sR: number; pairs: PairTerms[] }[];
  /** Per pair: mean over subjects of level, specificity and score. */
  pairs: PairTerms[];
  /** nAreas × nRois: mean over subjects of the cells (unitless, unclipped). */
  matrix: Float64Array;
  cells: SubjectCells;
}

/**
 * s_r: per subject, the mean over pairs of ½ [clip(level) + clip(specificity)];
 * then the mean over subjects. A flat model (the same features in every area)
 * has specificity 0 and so at most half the score of a model whose areas each
 * explain their own ROI.
 */
export function neuralScoreBySubject(
  inp: AreaRoiInput,
  pairs: IndexPairs,
  bounds: { lo: number; hi: number },
  opts: { floor?: number; selection?: { subjects: string[]; voxels: VoxelSelection } } = {},
): NeuralScore {
  if (pairs.length === 0) throw new InputError('pairs', 's_r needs at least one area→ROI pair');
  const cells = subjectCells(inp, opts);
  const A = inp.areas.length;
  const R = inp.rois.length;
  const S = cells.subjects.length;
  const matrix = new Float64Array(A * R);
  const perSubject = cells.subjects.map((subject, s) => {
    const own = cells.cells.subarray(s * A * R, (s + 1) * A * R);
    for (let i = 0; i < A * R; i++) matrix[i] += own[i] / S;
    const terms = pairTerms(own, R, pairs, bounds);
    return { subject, sR: terms.reduce((x, p) => x + p.score, 0) / terms.length, pairs: terms };
  });
  const mean = (f: (s: (typeof perSubject)[number]) => number): number => perSubject.reduce((x, s) => x + f(s), 0) / S;
  return {
    sR: mean((s) => s.sR),
    perSubject,
    pairs: pairs.map((_, i) => ({
      level: mean((s) => s.pairs[i].level),
      specificity: mean((s) => s.pairs[i].specificity),
      score: mean((s) => s.pairs[i].score),
    })),
    matrix,
    cells,
  };
}

/** One subject's test time courses in the ROI voxels, for the stimulus bootstrap of s_r. */
export interface SubjectTimecourses {
  /** Test volumes. */
  nT: number;
  /** Test clip each volume belongs to (the unit the bootstrap resamples). */
  clipOfVolume: Int32Array;
  nClips: number;
  /** Columns of the pooled input (voxels) that have time courses. */
  voxels: Int32Array;
  /** nAreas × nT × voxels.length: each area's test prediction (areas in AreaRoiInput order). */
  pred: Float32Array;
  /** nT × voxels.length: the test-run mean BOLD the predictions are scored against. */
  data: Float32Array;
}

/** Weighted Pearson r of columns j of an nT × n prediction block and data (weights = how often each volume was drawn). */
function weightedR(pred: Float32Array, predOffset: number, data: Float32Array, nT: number, n: number, j: number, w: Float64Array): number {
  let sw = 0,
    sp = 0,
    sy = 0,
    spp = 0,
    syy = 0,
    spy = 0;
  for (let t = 0; t < nT; t++) {
    const wt = w[t];
    if (wt === 0) continue;
    const p = pred[predOffset + t * n + j];
    const y = data[t * n + j];
    sw += wt;
    sp += wt * p;
    sy += wt * y;
    spp += wt * p * p;
    syy += wt * y * y;
    spy += wt * p * y;
  }
  const mp = sp / sw;
  const my = sy / sw;
  const vp = spp / sw - mp * mp;
  const vy = syy / sw - my * my;
  return vp > 0 && vy > 0 ? (spy / sw - mp * my) / Math.sqrt(vp * vy) : NaN;
}

/**
 * One stimulus-bootstrap replicate of the neural input: subjects drawn with
 * replacement; for each drawn subject its test clips drawn with replacement,
 * and every area's held-out r recomputed in its ROI voxels over the drawn
 * clips' volumes. Reliabilities stay fixed (the repeated runs are not stored).
 */
export function stimulusReplicate(inp: AreaRoiInput, timecourses: SubjectTimecourses[], rng: { int(n: number): number }): AreaRoiInput {
  const S = timecourses.length;
  const A = inp.areas.length;
  const draws = Array.from({ length: S }, () => rng.int(S));
  const V = draws.reduce((s, d) => s + timecourses[d].voxels.length, 0);
  const r = new Float64Array(A * V);
  const reliability = new Float64Array(V);
  const roiOfVoxel = new Int32Array(V);
  const subjectOfVoxel = new Int32Array(V);
  let o = 0;
  draws.forEach((d, i) => {
    const tc = timecourses[d];
    const n = tc.voxels.length;
    const picked = new Float64Array(tc.nClips);
    for (let c = 0; c < tc.nClips; c++) picked[rng.int(tc.nClips)]++;
    const w = new Float64Array(tc.nT);
    for (let t = 0; t < tc.nT; t++) w[t] = picked[tc.clipOfVolume[t]];
    for (let j = 0; j < n; j++) {
      const v = tc.voxels[j];
      reliability[o + j] = inp.reliability[v];
      roiOfVoxel[o + j] = inp.roiOfVoxel[v];
      subjectOfVoxel[o + j] = i;
      for (let a = 0; a < A; a++) r[a * V + o + j] = weightedR(tc.pred, a * tc.nT * n, tc.data, tc.nT, n, j, w);
    }
    o += n;
  });
  const names = inp.subjects ?? [];
  return { areas: inp.areas, rois: inp.rois, r, nVoxels: V, roiOfVoxel, reliability, subjects: draws.map((d, i) => `${names[d] ?? d}#${i}`), subjectOfVoxel };
}
