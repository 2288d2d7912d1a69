/**
 * JSON artifact files parsed by their zod schema at the border: a file that is
 * not JSON, or does not match, is one InputError naming the file and the
 * first field at fault.
 */
import type { z } from 'zod';
import { stableJson, writeFileAtomic } from '../core/atomic.js';
import { InputError } from '../core/errors.js';
import { parseJsonNoProto, ProtoKeyError } from '../core/json.js';
import { readText } from '../io/fd.js';

export function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const text = readText(file);
  let raw: unknown;
  try {
    raw = parseJsonNoProto(text);
  } catch (e) {
    throw new InputError(file, e instanceof ProtoKeyError ? e.message : `not valid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new InputError(file, `field "${issue.path.map(String).join('.') || '(top level)'}": ${issue.message}`);
}

/**
 * Writes `value` (stable key order, atomically) after checking what will be
 * written (NaN and ±Infinity become null in JSON) against its schema, so a
 * writer cannot drift from its reader.
 */
export function writeJsonFile<S extends z.ZodType>(file: string, schema: S, value: z.input<S>): void {
  const text = stableJson(value);
  const r = schema.safeParse(JSON.parse(text));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${file}: writer produced an invalid "${issue.path.map(String).join('.')}": ${issue.message}`);
  }
  writeFileAtomic(file, text);
}
