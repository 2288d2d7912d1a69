/**
 * Held-out scores of encoding models, column by column (one column = one
 * voxel / target): Pearson r between prediction and measurement, and the
 * coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², with ȳ the mean
 * of the held-out y (as sklearn's r2_score). Sums are kept in float64.
 *
 * A column that is constant on the held-out rows (a voxel outside the brain,
 * a target the model predicts as a constant) scores r = 0 and R² = 0 by
 * default rather than NaN, so fold averages and α selection stay defined;
 * maps ask for NaN instead (`constant`), so an unscorable voxel stays visible.
 *
 * This is the project's one column-wise Pearson: `pearsonColumns` (the stats
 * tests', NaN for constant columns) runs on the same moments and formula.
 */
import { InputError } from '../core/errors.js';
import { getLinalg, type Linalg } from '../linalg/index.js';

/** Per-column sums of the held-out measurements, computed once per fold and reused for every α. */
export interface TargetStats {
  rows: number;
  /** Σ y per column. */
  sy: Float64Array;
  /** Σ y² per column. */
  syy: Float64Array;
}

/** Σy and Σy² of each column of the rows×cols row-major matrix y. */
export function targetStats(y: Float32Array | Float64Array, rows: number, cols: number): TargetStats {
  const sy = new Float64Array(cols);
  const syy = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let k = 0; k < cols; k++) {
      const v = y[o + k];
      sy[k] += v;
      syy[k] += v * v;
    }
  }
  return { rows, sy, syy };
}

/** Per-column Σp, Σp², Σp·y (float64) of pred (from element predOffset) against y, both rows×cols. */
function moments(
  pred: Float32Array | Float64Array,
  predOffset: number,
  y: Float32Array | Float64Array,
  rows: number,
  cols: number,
  la?: Linalg,
): { sp: Float64Array; spp: Float64Array; spy: Float64Array } {
  const mom = new Float64Array(3 * cols);
  // the addon wants one element type; mixed float32/float64 inputs take the portable loop
  const sameType = pred instanceof Float64Array === y instanceof Float64Array;
  (sameType ? (la ?? getLinalg()) : getLinalg({ prefer: 'portable' })).columnMoments(pred, predOffset, y, rows, cols, mom);
  return { sp: mom.subarray(0, cols), spp: mom.subarray(cols, 2 * cols), spy: mom.subarray(2 * cols, 3 * cols) };
}

/** A centred sum of squares `ss` is zero up to the rounding of its raw Σx² (`sxx`). */
function isConstant(ss: number, sxx: number): boolean {
  // relative threshold: float32 inputs leave ~1e-7 relative noise in "constant" columns
  return !(ss > 1e-12 * Math.max(sxx, 1e-300));
}

/** Pearson r (unitless, clamped to [−1, 1]) from raw moments over n rows; NaN when either side is constant. */
function pearsonFromMoments(n: number, sp: number, spp: number, sy: number, syy: number, spy: number): number {
  const ssy = syy - (sy * sy) / n;
  const ssp = spp - (sp * sp) / n;
  const denom = Math.sqrt(ssp * ssy);
  if (isConstant(ssy, syy) || isConstant(ssp, spp) || !(denom > 0)) return NaN;
  return Math.max(-1, Math.min(1, (spy - (sp * sy) / n) / denom));
}

/**
 * Column-wise Pearson r between two rows×cols row-major matrices (e.g. predicted
 * and measured time×voxel BOLD). Returns one r per column (unitless, float64);
 * NaN for a column that is constant in either matrix.
 */
export function pearsonColumns(a: Float32Array | Float64Array, b: Float32Array | Float64Array, rows: number, cols: number): Float64Array {
  if (a.length !== rows * cols || b.length !== rows * cols) {
    throw new InputError('pearsonColumns', `expected ${rows}×${cols} = ${rows * cols} values, got ${a.length} and ${b.length}`);
  }
  const { sy, syy } = targetStats(b, rows, cols);
  const { sp, spp, spy } = moments(a, 0, b, rows, cols);
  const r = new Float64Array(cols);
  for (let k = 0; k < cols; k++) r[k] = pearsonFromMoments(rows, sp[k], spp[k], sy[k], syy[k], spy[k]);
  return r;
}

/**
 * Scores the predictions `pred` (rows×cols, starting at element `predOffset`)
 * against `y` (rows×cols). `offset[k]` is added to column k of pred first (the
 * intercept: the training mean of y when pred is a centred-model output).
 * Writes r into outR[outOffset + k] and R² into outR2[outOffset + k] (unitless);
 * a score undefined because a column is constant is written as `constant`.
 * The sums run in `la` (native when built).
 */
export function scoreColumns(
  pred: Float32Array | Float64Array,
  predOffset: number,
  y: Float32Array | Float64Array,
  stats: TargetStats,
  cols: number,
  offset: Float64Array | null,
  outR: Float32Array | Float64Array,
  outR2: Float32Array | Float64Array,
  outOffset: number,
  la?: Linalg,
  constant = 0,
): void {
  const rows = stats.rows;
  const { sp, spp, spy } = moments(pred, predOffset, y, rows, cols, la);
  for (let k = 0; k < cols; k++) {
    const sy = stats.sy[k];
    const syy = stats.syy[k];
    const ssy = syy - (sy * sy) / rows;
    const yConst = isConstant(ssy, syy);
    const r = pearsonFromMoments(rows, sp[k], spp[k], sy, syy, spy[k]);
    outR[outOffset + k] = Number.isNaN(r) ? constant : r;
    // Σ(y − p − c)² = Σy² − 2Σpy + Σp² − 2c(Σy − Σp) + n c²
    const c = offset ? offset[k] : 0;
    const ssRes = syy - 2 * spy[k] + spp[k] - 2 * c * (sy - sp[k]) + rows * c * c;
    outR2[outOffset + k] = yConst ? constant : 1 - ssRes / ssy;
  }
}

/**
 * Column-wise Pearson r and R² of predictions `pred` against measurements `y`
 * (both rows×cols row-major, same units). Returns Float32Arrays of length cols;
 * scores undefined because a column is constant are `constant` (default 0).
 */
export function correlateColumns(
  pred: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  rows: number,
  cols: number,
  constant = 0,
): { r: Float32Array; r2: Float32Array } {
  if (pred.length !== rows * cols || y.length !== rows * cols) {
    throw new InputError('correlateColumns', `expected ${rows}×${cols} = ${rows * cols} values, got ${pred.length} and ${y.length}`);
  }
  if (rows < 2) throw new InputError('correlateColumns', `needs at least 2 rows, got ${rows}`);
  const r = new Float32Array(cols);
  const r2 = new Float32Array(cols);
  scoreColumns(pred, 0, y, targetStats(y, rows, cols), cols, null, r, r2, 0, undefined, constant);
  return { r, r2 };
}
