/**
 * Held-out scores of encoding models, column by column (one column = one
 * voxel / target): Pearson r between prediction and measurement, and the
 * coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², with ȳ the mean
 * of the held-out y (as sklearn's r2_score). Sums are kept in float64.
 *
 * A column that is constant on the held-out rows (a voxel outside the brain,
 * a target the model predicts as a constant) scores r = 0 and R² = 0 rather
 * than NaN, so fold averages and α selection stay defined.
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

/**
 * Scores the predictions `pred` (rows×cols, starting at element `predOffset`)
 * against `y` (rows×cols). `offset[k]` is added to column k of pred first (the
 * intercept: the training mean of y when pred is a centred-model output).
 * Writes r into outR[outOffset + k] and R² into outR2[outOffset + k] (unitless).
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
): void {
  const rows = stats.rows;
  const mom = new Float64Array(3 * cols);
  // the addon wants one element type; mixed float32/float64 inputs take the portable loop
  const sameType = pred instanceof Float64Array === y instanceof Float64Array;
  (sameType ? (la ?? getLinalg()) : getLinalg({ prefer: 'portable' })).columnMoments(pred, predOffset, y, rows, cols, mom);
  const sp = mom.subarray(0, cols);
  const spp = mom.subarray(cols, 2 * cols);
  const spy = mom.subarray(2 * cols, 3 * cols);
  for (let k = 0; k < cols; k++) {
    const sy = stats.sy[k];
    const syy = stats.syy[k];
    const ssy = syy - (sy * sy) / rows;
    const ssp = spp[k] - (sp[k] * sp[k]) / rows;
    const spyc = spy[k] - (sp[k] * sy) / rows;
    const denom = Math.sqrt(ssp * ssy);
    // relative thresholds: float32 inputs leave ~1e-7 relative noise in "constant" columns
    const yConst = !(ssy > 1e-12 * Math.max(syy, 1e-300));
    const pConst = !(ssp > 1e-12 * Math.max(spp[k], 1e-300));
    outR[outOffset + k] = yConst || pConst || !(denom > 0) ? 0 : Math.max(-1, Math.min(1, spyc / denom));
    // Σ(y − p − c)² = Σy² − 2Σpy + Σp² − 2c(Σy − Σp) + n c²
    const c = offset ? offset[k] : 0;
    const ssRes = syy - 2 * spy[k] + spp[k] - 2 * c * (sy - sp[k]) + rows * c * c;
    outR2[outOffset + k] = yConst ? 0 : 1 - ssRes / ssy;
  }
}

/**
 * Column-wise Pearson r and R² of predictions `pred` against measurements `y`
 * (both rows×cols row-major, same units). Returns Float32Arrays of length cols.
 */
export function correlateColumns(
  pred: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  rows: number,
  cols: number,
): { r: Float32Array; r2: Float32Array } {
  if (pred.length !== rows * cols || y.length !== rows * cols) {
    throw new InputError('correlateColumns', `expected ${rows}×${cols} = ${rows * cols} values, got ${pred.length} and ${y.length}`);
  }
  if (rows < 2) throw new InputError('correlateColumns', `needs at least 2 rows, got ${rows}`);
  const r = new Float32Array(cols);
  const r2 = new Float32Array(cols);
  scoreColumns(pred, 0, y, targetStats(y, rows, cols), cols, null, r, r2, 0);
  return { r, r2 };
}
