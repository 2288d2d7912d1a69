/**
 * One streaming data summary for every reader's `info` (NIfTI, EDF/BDF, WAV,
 * NPY): values arrive block by block, so a multi-GB file is summarised in
 * bounded memory, and two partial summaries can be merged.
 */

/** The summary `brainalign info --json` prints for any array of values (docs/info-json.md). */
export interface DataSummary {
  /** Values seen, NaN included. */
  count: number;
  /** NaN values; they are excluded from every statistic below. */
  nan: number;
  /** Non-NaN values that are not zero. */
  nonzero: number;
  /**
   * Smallest / largest / mean / sum of the non-NaN values, in the values' own
   * units. null when it is not finite (JSON has no Infinity/NaN); min, max and
   * mean are also null when there are no non-NaN values (the sum is then 0).
   */
  min: number | null;
  max: number | null;
  mean: number | null;
  sum: number | null;
}

/** Accumulates min/max/sum/nonzero/NaN counts over values added in any number of blocks. */
export class SummaryAccumulator {
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private count = 0;
  private nan = 0;
  private nonzero = 0;

  /** Adds `values[from..to)` (float64 accumulation); returns this accumulator. */
  add(values: ArrayLike<number>, from = 0, to = values.length): this {
    // Locals in the hot loop (V8 keeps fields and captured variables out of
    // registers); one partial sum per block keeps float64 rounding error small
    // on long recordings.
    let lo = this.min,
      hi = this.max,
      s = 0,
      nn = 0,
      nz = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (Number.isNaN(v)) {
        nn++;
        continue;
      }
      if (v !== 0) nz++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      s += v;
    }
    this.min = lo;
    this.max = hi;
    this.sum += s;
    this.nan += nn;
    this.nonzero += nz;
    this.count += Math.max(0, to - from);
    return this;
  }

  /** Folds another accumulator's values into this one; returns this accumulator. */
  merge(other: SummaryAccumulator): this {
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.sum += other.sum;
    this.count += other.count;
    this.nan += other.nan;
    this.nonzero += other.nonzero;
    return this;
  }

  /** The summary of everything added so far (plain JSON-serialisable data). */
  result(): DataSummary {
    const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const n = this.count - this.nan;
    return {
      count: this.count,
      nan: this.nan,
      nonzero: this.nonzero,
      min: n > 0 ? fin(this.min) : null,
      max: n > 0 ? fin(this.max) : null,
      mean: n > 0 ? fin(this.sum / n) : null,
      sum: fin(this.sum),
    };
  }
}

/** The summary of one array of values (see DataSummary). */
export function summarize(values: ArrayLike<number>): DataSummary {
  return new SummaryAccumulator().add(values).result();
}
