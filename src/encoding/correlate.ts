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
): void {
  const rows = stats.rows;
  const sp = new Float64Array(cols);
  const spp = new Float64Array(cols);
  const spy = new Float64Array(cols);
  // four rows per sweep: the float64 accumulators are read and written a quarter as often (this loop dominates ridge CV time outside BLAS)
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const p0 = predOffset + i * cols;
    const p1 = p0 + cols;
    const p2 = p1 + cols;
    const p3 = p2 + cols;
    const y0 = i * cols;
    const y1 = y0 + cols;
    const y2 = y1 + cols;
    const y3 = y2 + cols;
    for (let k = 0; k < cols; k++) {
      const a = pred[p0 + k];
      const b = pred[p1 + k];
      const c = pred[p2 + k];
      const d = pred[p3 + k];
      sp[k] += a + b + c + d;
      spp[k] += a * a + b * b + c * c + d * d;
      spy[k] += a * y[y0 + k] + b * y[y1 + k] + c * y[y2 + k] + d * y[y3 + k];
    }
  }
  for (; i < rows; i++) {
    const po = predOffset + i * cols;
    const yo = i * cols;
    for (let k = 0; k < cols; k++) {
      const p = pred[po + k];
      sp[k] += p;
      spp[k] += p * p;
      spy[k] += p * y[yo + k];
    }
  }
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
