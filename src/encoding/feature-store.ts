/**
 * Reading a `brainalign features` artifact: `<model>/<area>/iter-<k>.npy`
 * ((Σ clip rows) × features, float32) with optional `.json` sidecars, and
 * `stimuli.tsv` (stim_id, row_start, n_rows, duration; read through
 * src/artifacts/features.ts) saying which rows belong to
 * which clip. A sidecar is read through src/artifacts/features.ts, so its
 * row rate has the writer's one spelling (`rate`, Hz).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readNpy, readNpyHeader } from '../io/npy.js';
import { clipRowsFile, readClipRows, readFeatureSidecarFile } from '../artifacts/features.js';
import type { ClipRows } from './design.js';

export interface FeatureSpaceRef {
  model: string;
  area: string;
  iteration: number;
  /** Absolute path of the .npy file. */
  file: string;
  nRows: number;
  nFeat: number;
  /** Row rate in Hz from the sidecar, or null when the space has none. */
  rate: number | null;
}

export interface FeatureStore {
  dir: string;
  /** Sorted by model, area (as listed on disk), iteration. */
  spaces: FeatureSpaceRef[];
  index: Map<string, ClipRows>;
  clipIds: string[];
}

function rateOf(npy: string): number | null {
  const sidecar = npy.replace(/\.npy$/, '.json');
  return fs.existsSync(sidecar) ? readFeatureSidecarFile(sidecar).rate : null;
}

/** Lists the feature spaces and clip index of a features artifact folder; reads only npy headers. */
export function openFeatureStore(dir: string): FeatureStore {
  if (!fs.existsSync(clipRowsFile(dir))) throw new InputError(dir, 'features artifact has no stimuli.tsv (stim_id, row_start, n_rows, duration)');
  const index = new Map<string, ClipRows>();
  const clipIds: string[] = [];
  let totalRows = 0;
  for (const r of readClipRows(dir)) {
    if (index.has(r.stimId)) throw new InputError(clipRowsFile(dir), `clip ${r.stimId} listed twice`);
    index.set(r.stimId, { rowStart: r.rowStart, nRows: r.nRows });
    clipIds.push(r.stimId);
    totalRows = Math.max(totalRows, r.rowStart + r.nRows);
  }
  const spaces: FeatureSpaceRef[] = [];
  const dirs = (p: string): string[] =>
    fs
      .readdirSync(p, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  for (const model of dirs(dir)) {
    for (const area of dirs(path.join(dir, model))) {
      const files = fs.readdirSync(path.join(dir, model, area)).filter((f) => /^iter-\d+\.npy$/.test(f));
      for (const f of files) {
        const file = path.join(dir, model, area, f);
        const h = readNpyHeader(file);
        if (h.shape.length !== 2) throw new InputError(file, `expected a 2-D array (rows × features), got shape (${h.shape.join(', ')})`);
        if (h.shape[0] < totalRows) throw new InputError(file, `has ${h.shape[0]} rows but stimuli.tsv indexes ${totalRows}`);
        spaces.push({ model, area, iteration: Number(/\d+/.exec(f)?.[0]), file, nRows: h.shape[0], nFeat: h.shape[1], rate: rateOf(file) });
      }
    }
  }
  if (spaces.length === 0) throw new InputError(dir, 'features artifact has no <model>/<area>/iter-<k>.npy files');
  spaces.sort((a, b) => (a.model !== b.model ? (a.model < b.model ? -1 : 1) : a.area !== b.area ? (a.area < b.area ? -1 : 1) : a.iteration - b.iteration));
  return { dir, spaces, index, clipIds };
}

/** The feature matrix of one space as float32 (rows × features, the features' own units). */
export function readFeatureSpace(ref: FeatureSpaceRef): Float32Array {
  const a = readNpy(ref.file);
  if (a.data instanceof Float32Array) return a.data;
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array)
    throw new InputError(ref.file, `64-bit integer dtype ${a.dtype}; features must be float`);
  return Float32Array.from(a.data as ArrayLike<number>);
}
