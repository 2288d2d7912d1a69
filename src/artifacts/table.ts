/**
 * A TSV artifact table as a typed value: its columns, the type of each cell
 * and the sidecar describing it, declared once and used by both the writer and
 * the reader. A row's type is derived from the declaration, so a column
 * renamed on one side is a type error on the other, and a file whose header
 * lacks a declared column is an InputError naming the file and the column
 * (no alternative spellings are accepted).
 *
 * Cells: `text` (any non-missing string), `optText` (`n/a` → null), `num`
 * (finite number or null; `n/a`, NaN and ±inf read as null, as the writers
 * write non-finite scores as n/a), `real` (a finite number, required: a loss
 * or a duration that cannot be missing), `int` (an integer, required).
 */
import { InputError } from '../core/errors.js';
import { NA, readTsv, tsvNumber, writeTsv, type TsvColumnDescription } from '../io/tsv.js';

export type CellKind = 'text' | 'optText' | 'num' | 'real' | 'int';

interface CellValue {
  text: string;
  optText: string | null;
  num: number | null;
  real: number;
  int: number;
}

/** Column name → cell kind of one table. */
export type Columns = Record<string, CellKind>;

/** The typed row of a table declared by `C`. */
export type Row<C extends Columns> = { [K in keyof C]: CellValue[C[K]] };

export interface TableSpec<C extends Columns> {
  /** Columns in file order. */
  columns: C;
  /** The sidecar's column descriptions; a writer may override some per file (levels, CI level). */
  describe: { [K in keyof C]?: TsvColumnDescription };
}

/** Declares a table (identity, for inference of the row type). */
export function table<C extends Columns>(columns: C, describe: { [K in keyof C]?: TsvColumnDescription }): TableSpec<C> {
  return { columns, describe };
}

/** A `num` cell rounded to `digits` decimals; a non-finite score is missing (n/a), never `inf`. */
function roundNum(v: string | number | null, digits: number): string | number | null {
  if (typeof v !== 'number') return v;
  return Number.isFinite(v) ? Number(v.toFixed(digits)) : null;
}

/**
 * Writes rows (atomically) with the declared columns, then `extra` columns
 * (one per class or ROI, named at run time) when given, and the sidecar.
 * With `digits`, every `num` cell is stored rounded to that many decimals.
 */
export function writeTable<C extends Columns>(
  file: string,
  spec: TableSpec<C>,
  rows: readonly (Row<C> & Record<string, string | number | null>)[],
  opts: {
    describe?: { [K in keyof C]?: TsvColumnDescription };
    extra?: { columns: string[]; describe: Record<string, TsvColumnDescription> };
    digits?: number;
  } = {},
): void {
  const names = Object.keys(spec.columns);
  const describe: Record<string, TsvColumnDescription> = {};
  for (const [k, v] of Object.entries({ ...spec.describe, ...opts.describe })) if (v) describe[k] = v;
  Object.assign(describe, opts.extra?.describe ?? {});
  const digits = opts.digits;
  const rounded = digits === undefined ? [] : names.filter((k) => spec.columns[k] === 'num');
  writeTsv(
    file,
    [...names, ...(opts.extra?.columns ?? [])],
    rows.map((r) => {
      const out: Record<string, string | number | null> = { ...r };
      for (const k of rounded) out[k] = roundNum(out[k], digits as number);
      return out;
    }),
    describe,
  );
}

function parseCell(kind: CellKind, cell: string, file: string, column: string, line: number): CellValue[CellKind] {
  if (kind === 'text') {
    if (cell === NA || cell === '') throw new InputError(file, `line ${line}, column "${column}": a value is required`);
    return cell;
  }
  if (kind === 'optText') return cell === NA || cell === '' ? null : cell;
  const v = tsvNumber(cell, file, column);
  if (kind === 'num') return v === null || !Number.isFinite(v) ? null : v;
  if (kind === 'real') {
    if (v === null || !Number.isFinite(v)) throw new InputError(file, `line ${line}, column "${column}": a finite number is required, got "${cell}"`);
    return v;
  }
  if (v === null || !Number.isInteger(v)) throw new InputError(file, `line ${line}, column "${column}": an integer is required, got "${cell}"`);
  return v;
}

/** A read table: typed rows of the declared columns, and the names of any further columns. */
export interface ReadTable<C extends Columns> {
  file: string;
  rows: Row<C>[];
  /** Columns after the declared ones (per-class or per-ROI columns), in file order. */
  extra: string[];
  /** Raw text of the extra columns, row by row. */
  extraCells: Record<string, string>[];
}

/** Reads a table written by writeTable: every declared column must be present under its declared name. */
export function readTable<C extends Columns>(file: string, spec: TableSpec<C>): ReadTable<C> {
  const t = readTsv(file);
  const names = Object.keys(spec.columns);
  const missing = names.filter((n) => !t.columns.includes(n));
  if (missing.length > 0) throw new InputError(file, `no ${missing.map((n) => `"${n}"`).join(', ')} column${missing.length > 1 ? 's' : ''}`);
  const extra = t.columns.filter((c) => !names.includes(c));
  const rows = t.rows.map((raw, i) => {
    const row: Record<string, CellValue[CellKind]> = {};
    for (const n of names) row[n] = parseCell(spec.columns[n], raw[n], file, n, i + 2);
    return row as Row<C>;
  });
  return { file, rows, extra, extraCells: t.rows.map((raw) => Object.fromEntries(extra.map((c) => [c, raw[c]]))) };
}

/** Cell `column` of row `i` of a table's extra columns, read as `kind` (line numbers as in the file). */
export function extraCell<K extends CellKind>(t: Pick<ReadTable<Columns>, 'file' | 'extraCells'>, i: number, column: string, kind: K): CellValue[K] {
  const cell = t.extraCells[i][column];
  if (cell === undefined) throw new InputError(t.file, `no "${column}" column`);
  return parseCell(kind, cell, t.file, column, i + 2) as CellValue[K];
}
