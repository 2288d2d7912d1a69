/**
 * BIDS-style tab-separated tables: a header row, one row per line, `n/a` for
 * a missing value, no quoting. Optionally a JSON sidecar beside the table
 * describing each column (Description, Units, Levels), as BIDS does.
 *
 * Numbers are written deterministically (same doubles → same bytes): integers
 * below 1e15 exactly, everything else with up to 6 significant digits and
 * trailing zeros removed; NaN and null become `n/a`, ±Infinity `inf`/`-inf`
 * (all of which pandas.read_csv reads back as floats).
 */
import { InputError } from '../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic.js';
import { readText } from './fd.js';

export interface TsvTable {
  columns: string[];
  /** One record per data row, keyed by column name; values are the raw cell text (`n/a` kept as is). */
  rows: Record<string, string>[];
}

export interface TsvColumnDescription {
  Description: string;
  Units?: string;
  Levels?: Record<string, string>;
}

export type TsvCell = string | number | null | undefined;

/** The cell text BIDS uses for a missing value. */
export const NA = 'n/a';

/** Read a TSV file (UTF-8, LF or CRLF). Returns the header and one string record per row. */
export function readTsv(file: string): TsvTable {
  return parseTsv(readText(file), file);
}

/** Parse TSV text; `where` names the source in errors. */
export function parseTsv(text: string, where: string): TsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new InputError(where, 'empty TSV file (no header row)');
  const columns = lines[0].split('\t');
  const seen = new Set<string>();
  for (const c of columns) {
    if (c === '') throw new InputError(where, 'empty column name in the header row');
    if (seen.has(c)) throw new InputError(where, `duplicate column "${c}" in the header row`);
    seen.add(c);
  }
  const rows: Record<string, string>[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split('\t');
    if (cells.length !== columns.length) {
      throw new InputError(where, `line ${i + 1} has ${cells.length} cells, the header has ${columns.length}`);
    }
    const row: Record<string, string> = {};
    for (let j = 0; j < columns.length; j++) row[columns[j]] = cells[j];
    rows.push(row);
  }
  return { columns, rows };
}

/**
 * Parse one cell as a number: `n/a` (or an empty cell) → null; anything not a
 * decimal number (or inf/nan spelled as numpy/pandas write them) → InputError
 * naming `where` and `column`.
 */
export function tsvNumber(cell: string, where: string, column: string): number | null {
  const s = cell.trim();
  if (s === NA || s === '') return null;
  const low = s.toLowerCase();
  if (low === 'nan') return NaN;
  if (low === 'inf' || low === '+inf' || low === 'infinity') return Infinity;
  if (low === '-inf' || low === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    throw new InputError(where, `column "${column}": "${cell}" is not a number`);
  }
  return Number(s);
}

/** Deterministic text for a number (see module comment). */
export function formatTsvNumber(x: number): string {
  if (Number.isNaN(x)) return NA;
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const s = x.toPrecision(6);
  const e = s.indexOf('e');
  const mant = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? '' : s.slice(e);
  const trimmed = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
  return trimmed + exp;
}

/** x when it is a finite number, else null (a TSV `n/a` cell): a score that could not be computed, ±Infinity included. */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

function cellText(v: TsvCell, file: string, column: string): string {
  if (v === null || v === undefined) return NA;
  if (typeof v === 'number') return formatTsvNumber(v);
  if (/[\t\r\n]/.test(v)) throw new InputError(file, `column "${column}": value ${JSON.stringify(v)} contains a tab or newline`);
  // BIDS forbids empty cells; a missing string is n/a.
  return v === '' ? NA : v;
}

/** The JSON sidecar path of a .tsv (or .tsv.gz) file. */
export function tsvSidecarPath(file: string): string {
  return `${file.replace(/\.tsv(\.gz)?$/, '')}.json`;
}

/**
 * Write a TSV atomically (LF line ends, trailing newline), and its JSON
 * sidecar beside it when `sidecar` is given (stable key order). Missing keys
 * and null are written as `n/a`; numbers as in formatTsvNumber.
 */
export function writeTsv(file: string, columns: string[], rows: Record<string, TsvCell>[], sidecar?: Record<string, TsvColumnDescription>): void {
  if (columns.length === 0) throw new InputError(file, 'a TSV needs at least one column');
  const seen = new Set<string>();
  for (const c of columns) {
    if (c === '' || /[\t\r\n]/.test(c)) throw new InputError(file, `bad column name ${JSON.stringify(c)}`);
    if (seen.has(c)) throw new InputError(file, `duplicate column "${c}"`);
    seen.add(c);
  }
  if (sidecar) {
    for (const k of Object.keys(sidecar)) {
      if (!seen.has(k)) throw new InputError(file, `sidecar describes column "${k}", which the table does not have`);
    }
  }
  const lines = [columns.join('\t')];
  for (const r of rows) lines.push(columns.map((c) => cellText(r[c], file, c)).join('\t'));
  writeFileAtomic(file, `${lines.join('\n')}\n`);
  if (sidecar) writeJsonAtomic(tsvSidecarPath(file), sidecar);
}
