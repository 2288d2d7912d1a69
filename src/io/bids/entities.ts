/**
 * BIDS file names: `sub-01_ses-a_task-music_run-1_bold.nii.gz` is a list of
 * key-value entities, a suffix (`bold`) and an extension (`.nii.gz`).
 */
import { InputError } from '../../core/errors.js';

export interface BidsName {
  /** Entities in file-name order, e.g. { sub: '01', task: 'music', run: '1' } (values as written, no zero-stripping). */
  entities: Record<string, string>;
  /** The part after the last underscore, e.g. 'bold', 'events', 'eeg'. */
  suffix: string;
  /** Everything from the first dot of the base name, e.g. '.nii.gz', '.tsv', '.json'. */
  extension: string;
}

/**
 * Canonical entity order from the BIDS specification's entity table; names we
 * build follow it, unknown entities go last in the order given.
 */
export const ENTITY_ORDER = [
  'sub',
  'ses',
  'sample',
  'task',
  'tracksys',
  'acq',
  'nuc',
  'voi',
  'ce',
  'trc',
  'stain',
  'rec',
  'dir',
  'run',
  'mod',
  'echo',
  'flip',
  'inv',
  'mt',
  'part',
  'proc',
  'hemi',
  'space',
  'split',
  'recording',
  'chunk',
  'seg',
  'res',
  'den',
  'label',
  'model',
  'subset',
  'desc',
] as const;

const KEY = /^[a-zA-Z0-9]+$/;
const VALUE = /^[a-zA-Z0-9+]+$/;

/**
 * Parse a BIDS-style base name (a path is reduced to its base name). Returns
 * null when the name is not entities + suffix (e.g. `README`, `dataset_description.json`
 * has no key-value part, `sub-01` alone has no suffix).
 */
export function parseBidsName(fileOrPath: string): BidsName | null {
  const base = fileOrPath.replace(/^.*[\\/]/, '');
  const dot = base.indexOf('.');
  const stem = dot < 0 ? base : base.slice(0, dot);
  const extension = dot < 0 ? '' : base.slice(dot);
  const parts = stem.split('_');
  if (parts.length < 2) return null;
  const suffix = parts[parts.length - 1];
  if (!KEY.test(suffix)) return null;
  const entities: Record<string, string> = {};
  for (const p of parts.slice(0, -1)) {
    const dash = p.indexOf('-');
    if (dash <= 0) return null;
    const k = p.slice(0, dash);
    const v = p.slice(dash + 1);
    if (!KEY.test(k) || !VALUE.test(v) || k in entities) return null;
    entities[k] = v;
  }
  return { entities, suffix, extension };
}

/**
 * Build a BIDS base name from entities (written in canonical order; undefined
 * values are left out), a suffix and an extension with its dot.
 */
export function formatBidsName(entities: Record<string, string | number | undefined>, suffix: string, extension: string): string {
  const keys = Object.keys(entities).filter((k) => entities[k] !== undefined);
  const rank = (k: string) => {
    const i = (ENTITY_ORDER as readonly string[]).indexOf(k);
    return i < 0 ? ENTITY_ORDER.length : i;
  };
  const ordered = keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i)
    .map(({ k }) => {
      const v = String(entities[k]);
      if (!KEY.test(k) || !VALUE.test(v)) throw new InputError(`${k}-${v}`, 'not a valid BIDS entity (key and label must be alphanumeric)');
      return `${k}-${v}`;
    });
  if (!KEY.test(suffix)) throw new InputError(suffix, 'not a valid BIDS suffix (must be alphanumeric)');
  return [...ordered, suffix].join('_') + extension;
}

/** True when every entity of `sub` is present in `full` with the same value. */
export function entitiesSubset(sub: Record<string, string>, full: Record<string, string>): boolean {
  for (const k of Object.keys(sub)) if (full[k] !== sub[k]) return false;
  return true;
}
