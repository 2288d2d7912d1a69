/**
 * What every artifact module shares: a JSON file parsed by its zod schema and
 * a TSV table whose leading columns are fixed. Both are the border where a
 * file becomes a typed value, so a reader never guesses a writer's spelling:
 * a missing or renamed column or field is one InputError naming the file.
 */
import * as fs from 'node:fs';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { parseJsonNoProto, ProtoKeyError } from '../core/json.js';
import { readText } from '../io/fd.js';
import { readTsv, tsvNumber } from '../io/tsv.js';

/** Parse `file` as JSON and check it against `schema`; any failure names the file and the first bad field. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  if (!fs.existsSync(file)) throw new InputError(file, 'no such file');
  let raw: unknown;
  try {
    raw = parseJsonNoProto(readText(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, e instanceof ProtoKeyError ? e.message : 'not valid JSON');
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(file, `field "${i.path.join('.') || '(root)'}": ${i.message}`);
  }
  return r.data;
}

/** A table's rows keyed by its fixed columns `C` (plus any further columns as plain strings). */
export interface Table<C extends string> {
  file: string;
  columns: string[];
  rows: (Record<C, string> & Record<string, string>)[];
}

/** Read a TSV whose first columns must be exactly `fixed`, in that order. */
export function readTable<C extends string>(file: string, fixed: readonly C[]): Table<C> {
  if (!fs.existsSync(file)) throw new InputError(file, 'no such file');
  const t = readTsv(file);
  const head = t.columns.slice(0, fixed.length);
  if (head.join('\t') !== fixed.join('\t')) throw new InputError(file, `expected columns ${fixed.join(', ')} first, got ${t.columns.join(', ')}`);
  return { file, columns: t.columns, rows: t.rows as Table<C>['rows'] };
}

/** A cell that must be a finite number (n/a refused). */
export function finiteCell(t: { file: string }, row: Record<string, string>, column: string): number {
  const v = tsvNumber(row[column], t.file, column);
  if (v === null || !Number.isFinite(v)) throw new InputError(t.file, `column "${column}": "${row[column]}" is not a finite number`);
  return v;
}

/** A cell that may be n/a (null) but is otherwise a finite number. */
export function optionalCell(t: { file: string }, row: Record<string, string>, column: string): number | null {
  const v = tsvNumber(row[column], t.file, column);
  if (v !== null && !Number.isFinite(v)) throw new InputError(t.file, `column "${column}": "${row[column]}" is not a finite number`);
  return v;
}
