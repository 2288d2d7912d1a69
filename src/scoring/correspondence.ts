/**
 * Area × ROI correspondence: how well each model area predicts each brain
 * ROI, ceiling-normalised, and whether each area predicts its "own" ROI best.
 * See docs/bas.md for the equations.
 */
import { median } from 'simple-statistics';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { normalise, reliabilityCeiling, asCorrelationCeiling, type Ceiling } from '../encoding/ceilings.js';
import { subjectCells, voxelsBySubject, type SubjectTimecourses } from './neural-score.js';

export interface AreaRoiInput {
  /** Model areas (matrix rows). */
  areas: string[];
  /** Brain ROIs (matrix columns). */
  rois: string[];
  /** Held-out prediction r, nAreas × nVoxels row-major (one encoding model per area). */
  r: Float32Array | Float64Array;
  nVoxels: number;
  /** Index into `rois` per voxel; −1 = voxel in no ROI. */
  roiOfVoxel: Int32Array;
  /** Spearman–Brown-corrected split-half reliability per voxel (a variance ratio, 'r2' kind). */
  reliability: Float32Array | Float64Array;
  /** Subject labels; with subjectOfVoxel, s_r is computed per subject and averaged. */
  subjects?: string[];
  /** Index into `subjects` per voxel (absent = one subject). */
  subjectOfVoxel?: Int32Array;
  /** Per subject (as `subjects`): test time courses of the ROI voxels, for the stimulus bootstrap of s_r. */
  timecourses?: SubjectTimecourses[];
}

export interface AreaRoiMatrix {
  /** nAreas × nRois row-major: median held-out r over the ROI's voxels / the ROI's r ceiling (unitless). */
  normalised: Float64Array;
  /** nAreas × nRois: the raw median r before normalisation. */
  raw: Float64Array;
  /** Per ROI: the correlation ceiling √(median reliability), kind 'r'. */
  ceilings: Ceiling[];
}

/** Median, NaN for an empty ROI (simple-statistics throws on empty input). */
function medianOf(x: number[]): number {
  return x.length === 0 ? NaN : median(x);
}

export function checkAreaRoiInput(inp: AreaRoiInput): void {
  const A = inp.areas.length;
  const V = inp.nVoxels;
  if (inp.r.length !== A * V) throw new InputError('area-roi r', `expected ${A}×${V} values, got ${inp.r.length}`);
  if (inp.roiOfVoxel.length !== V) throw new InputError('roiOfVoxel', `expected ${V} labels, got ${inp.roiOfVoxel.length}`);
  if (inp.reliability.length !== V) throw new InputError('reliability', `expected ${V} values, got ${inp.reliability.length}`);
  for (let v = 0; v < V; v++) {
    const k = inp.roiOfVoxel[v];
    if (!(k >= -1 && k < inp.rois.length)) throw new InputError('roiOfVoxel', `voxel ${v} has ROI index ${k}, outside [-1, ${inp.rois.length})`);
  }
  if (inp.subjectOfVoxel) {
    const S = inp.subjects?.length ?? 0;
    if (inp.subjectOfVoxel.length !== V) throw new InputError('subjectOfVoxel', `expected ${V} labels, got ${inp.subjectOfVoxel.length}`);
    for (let v = 0; v < V; v++) {
      const s = inp.subjectOfVoxel[v];
      if (!(s >= 0 && s < S)) throw new InputError('subjectOfVoxel', `voxel ${v} has subject index ${s}, outside [0, ${S})`);
    }
  }
}

/**
 * The ceiling-normalised area × ROI score matrix. `voxels` (optional, may
 * repeat — a bootstrap resample) selects which voxels enter; `labels`
 * optionally overrides roiOfVoxel (used by the label-permutation test).
 */
export function areaRoiMatrix(inp: AreaRoiInput, voxels?: ArrayLike<number>, labels?: Int32Array): AreaRoiMatrix {
  const A = inp.areas.length;
  const R = inp.rois.length;
  const V = inp.nVoxels;
  const lab = labels ?? inp.roiOfVoxel;
  const members: number[][] = Array.from({ length: R }, () => []);
  const n = voxels ? voxels.length : V;
  for (let i = 0; i < n; i++) {
    const v = voxels ? voxels[i] : i;
    if (lab[v] >= 0) members[lab[v]].push(v);
  }
  const ceilings = members.map((vs) => asCorrelationCeiling(reliabilityCeiling(medianOf(vs.map((v) => inp.reliability[v])))));
  const raw = new Float64Array(A * R);
  const normalised = new Float64Array(A * R);
  const scratch: number[] = [];
  for (let a = 0; a < A; a++) {
    for (let k = 0; k < R; k++) {
      scratch.length = 0;
      for (const v of members[k]) {
        const x = inp.r[a * V + v];
        if (!Number.isNaN(x)) scratch.push(x);
      }
      const med = medianOf(scratch);
      raw[a * R + k] = med;
      normalised[a * R + k] = normalise({ kind: 'r', value: med }, ceilings[k]).value;
    }
  }
  return { normalised, raw, ceilings };
}

export interface CorrespondenceIndex {
  /** Fraction of paired areas whose own ROI is the row argmax among the paired ROIs. */
  ownRoiBest: number;
  /** Fraction of paired ROIs whose own area is the column argmax among the paired areas. */
  ownAreaBest: number;
  /** Mean of the paired (diagonal) cells minus mean of the off-diagonal cells of the paired K×K submatrix. */
  contrast: number;
}

/** Pairs as (row, column) indices into an nAreas × nRois matrix. */
export type IndexPairs = [number, number][];

/** Correspondence index of a ceiling-normalised area × ROI matrix restricted to the K paired areas and ROIs. */
export function correspondenceIndex(matrix: Float64Array, nRois: number, pairs: IndexPairs): CorrespondenceIndex {
  const K = pairs.length;
  if (K < 2) throw new InputError('pairs', `the correspondence index needs at least 2 area→ROI pairs, got ${K}`);
  const cell = (i: number, j: number): number => matrix[pairs[i][0] * nRois + pairs[j][1]];
  let rowHits = 0;
  let colHits = 0;
  let diag = 0;
  let off = 0;
  for (let i = 0; i < K; i++) {
    let rowBest = true;
    let colBest = true;
    for (let j = 0; j < K; j++) {
      if (j === i) continue;
      if (!(cell(i, i) > cell(i, j))) rowBest = false;
      if (!(cell(i, i) > cell(j, i))) colBest = false;
      off += cell(i, j);
    }
    diag += cell(i, i);
    if (rowBest) rowHits++;
    if (colBest) colHits++;
  }
  return { ownRoiBest: rowHits / K, ownAreaBest: colHits / K, contrast: diag / K - off / (K * (K - 1)) };
}

export interface CorrespondenceTest extends CorrespondenceIndex {
  /** Permutation p-value of the contrast: ROI labels shuffled across each subject's paired-ROI voxels (sizes kept). */
  p: number;
  nPerm: number;
}

/**
 * Tests whether the diagonal contrast of the s_r cells (mean over subjects of
 * the median noise-corrected r², docs/bas.md) exceeds what random voxel
 * groupings of the same sizes give: within each subject, the voxel→ROI labels
 * of the paired ROIs are permuted, the cells recomputed, and the contrast
 * compared. One-sided p = (1 + #{null ≥ observed}) / (1 + nPerm).
 */
export function correspondenceTest(inp: AreaRoiInput, pairs: IndexPairs, opts: { rng: Rng; nPerm?: number; floor?: number }): CorrespondenceTest {
  checkAreaRoiInput(inp);
  const nPerm = opts.nPerm ?? 1000;
  const R = inp.rois.length;
  const A = inp.areas.length;
  const meanCells = (labels?: Int32Array): Float64Array => {
    const c = subjectCells(inp, { floor: opts.floor, labels });
    const S = c.subjects.length;
    const m = new Float64Array(A * R);
    for (let s = 0; s < S; s++) for (let i = 0; i < A * R; i++) m[i] += c.cells[s * A * R + i] / S;
    return m;
  };
  const obs = correspondenceIndex(meanCells(), R, pairs);
  const paired = new Set(pairs.map((p) => p[1]));
  // Labels move only within a subject: voxels of different brains are not exchangeable.
  const pools = voxelsBySubject(inp).voxels.map((vs) => Array.from(vs).filter((v) => paired.has(inp.roiOfVoxel[v])));
  const labels = Int32Array.from(inp.roiOfVoxel);
  const poolLabels = pools.map((pool) => pool.map((v) => inp.roiOfVoxel[v]));
  let count = 0;
  for (let k = 0; k < nPerm; k++) {
    pools.forEach((pool, s) => {
      opts.rng.shuffle(poolLabels[s]);
      for (let i = 0; i < pool.length; i++) labels[pool[i]] = poolLabels[s][i];
    });
    if (correspondenceIndex(meanCells(labels), R, pairs).contrast >= obs.contrast) count++;
  }
  return { ...obs, p: (1 + count) / (1 + nPerm), nPerm };
}
