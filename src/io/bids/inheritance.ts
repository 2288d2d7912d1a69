/**
 * The BIDS inheritance principle: a metadata file (JSON sidecar, events.tsv)
 * applies to a data file when it lies in the data file's folder or any folder
 * above it up to the dataset root, has the same suffix, and its entities are
 * a subset of the data file's entities. Values are merged from the root down,
 * so the most specific file wins key by key.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../core/errors.js';
import { readText } from '../fd.js';
import { parseJsonNoProto, ProtoKeyError } from '../../core/json.js';
import { parseBidsName, entitiesSubset } from './entities.js';

/** Folders from `root` down to (and including) `dir`; `dir` must lie inside `root`. */
function levels(root: string, dir: string): string[] {
  const rel = path.relative(root, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new InputError(dir, `is not inside the BIDS root ${root}`);
  const out = [root];
  let cur = root;
  for (const part of rel.split(path.sep).filter((p) => p !== '')) {
    cur = path.join(cur, part);
    out.push(cur);
  }
  return out;
}

function listFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => !d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Metadata files with `suffix` and `extension` that apply to `dataFile`,
 * ordered from least to most specific (root first; within a folder, fewer
 * entities first). Two equally specific candidates in one folder make the
 * choice ambiguous, which is an InputError naming both.
 */
export function applicableFiles(root: string, dataFile: string, suffix: string, extension: string): string[] {
  const name = parseBidsName(dataFile);
  if (name === null) throw new InputError(dataFile, 'not a BIDS file name (entities_suffix.extension)');
  const out: string[] = [];
  for (const dir of levels(path.resolve(root), path.dirname(path.resolve(dataFile)))) {
    const here: { file: string; n: number }[] = [];
    for (const f of listFiles(dir)) {
      const m = parseBidsName(f);
      if (m === null || m.suffix !== suffix || m.extension !== extension) continue;
      const full = path.join(dir, f);
      if (full === path.resolve(dataFile)) continue;
      if (entitiesSubset(m.entities, name.entities)) here.push({ file: full, n: Object.keys(m.entities).length });
    }
    here.sort((a, b) => a.n - b.n);
    for (let i = 1; i < here.length; i++) {
      if (here[i].n === here[i - 1].n) {
        throw new InputError(dataFile, `ambiguous metadata: both ${path.basename(here[i - 1].file)} and ${path.basename(here[i].file)} in ${dir} apply`);
      }
    }
    out.push(...here.map((h) => h.file));
  }
  return out;
}

/** Parse a JSON object file; anything else is an InputError naming it. */
export function readJsonObject(file: string): Record<string, unknown> {
  const text = readText(file);
  let v: unknown;
  try {
    v = parseJsonNoProto(text);
  } catch (e) {
    if (e instanceof ProtoKeyError) throw new InputError(file, e.message);
    throw new InputError(file, `invalid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(file, 'JSON sidecar must be an object');
  return v as Record<string, unknown>;
}

/**
 * Merged JSON sidecar of a data file (which need not exist: only its name and
 * folder matter): key-values from every applicable `<suffix>.json`, root
 * first, most specific last. `files` lists the sidecars used, in merge order;
 * `origin` names the file each key's winning value came from.
 */
export function resolveSidecar(root: string, dataFile: string): { sidecar: Record<string, unknown>; files: string[]; origin: Record<string, string> } {
  const name = parseBidsName(dataFile);
  if (name === null) throw new InputError(dataFile, 'not a BIDS file name (entities_suffix.extension)');
  const files = applicableFiles(root, dataFile, name.suffix, '.json');
  const sidecar: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const f of files) {
    const obj = readJsonObject(f);
    for (const k of Object.keys(obj)) origin[k] = f;
    Object.assign(sidecar, obj);
  }
  return { sidecar, files, origin };
}

/** The most specific events.tsv that applies to `dataFile` (same folder or above), or undefined. */
export function findEvents(root: string, dataFile: string): string | undefined {
  const c = applicableFiles(root, dataFile, 'events', '.tsv');
  return c.length > 0 ? c[c.length - 1] : undefined;
}
