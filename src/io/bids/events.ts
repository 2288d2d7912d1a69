/**
 * BIDS events.tsv: one row per event with onset and duration in seconds,
 * an optional trial_type, and any extra columns kept as text.
 */
import { InputError } from '../../core/errors.js';
import { readTsv, tsvNumber, NA, type TsvTable } from '../tsv.js';

export interface BidsEvent {
  /** Seconds from the start of the acquisition (may be negative, as BIDS allows). */
  onset: number;
  /** Seconds; NaN when the file says `n/a` (duration unknown). */
  duration: number;
  /** The trial_type cell, or null when the column is absent or the cell is `n/a`. */
  trialType: string | null;
  /** Every other column, raw cell text (`n/a` kept). */
  extra: Record<string, string>;
}

/** Throw unless an events table has onset and duration columns. */
export function checkEventsColumns(table: Pick<TsvTable, 'columns'>, file: string): void {
  for (const c of ['onset', 'duration']) {
    if (!table.columns.includes(c)) {
      throw new InputError(file, `events.tsv has no "${c}" column (columns: ${table.columns.join(', ')})`);
    }
  }
}

/**
 * Read an events.tsv into typed events, in file order. Missing onset/duration
 * columns, a non-numeric or `n/a` onset, or a negative duration are
 * InputErrors naming the file and line.
 */
export function readEvents(file: string): BidsEvent[] {
  const table = readTsv(file);
  checkEventsColumns(table, file);
  const extraCols = table.columns.filter((c) => c !== 'onset' && c !== 'duration' && c !== 'trial_type');
  return table.rows.map((r, i) => {
    const line = `line ${i + 2}`;
    const num = (col: string): number | null => {
      try {
        return tsvNumber(r[col], file, col);
      } catch (e) {
        if (e instanceof InputError) throw new InputError(file, `${line}: ${e.problem}`);
        throw e;
      }
    };
    const onset = num('onset');
    if (onset === null || !Number.isFinite(onset)) throw new InputError(file, `${line}: onset must be a finite number, got "${r.onset}"`);
    const d = num('duration');
    const duration = d === null ? NaN : d;
    if (duration < 0 || duration === Infinity) throw new InputError(file, `${line}: duration must be ≥ 0 seconds, got "${r.duration}"`);
    const tt = r.trial_type;
    const extra: Record<string, string> = {};
    for (const c of extraCols) extra[c] = r[c];
    return { onset, duration, trialType: tt === undefined || tt === NA ? null : tt, extra };
  });
}
