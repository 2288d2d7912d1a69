/**
 * Discovery of a raw BIDS dataset: dataset_description.json,
 * participants.tsv, and data files under sub-<label>/[ses-<label>/]{func,eeg,beh,anat},
 * each with its merged sidecar (inheritance principle) and matching
 * events.tsv. Everything a pipeline needs later is checked here, so a
 * broken dataset fails once, early, naming the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../core/errors.js';
import { readTsv } from '../tsv.js';
import { parseBidsName } from './entities.js';
import { resolveSidecar, findEvents } from './inheritance.js';
import { checkEventsColumns } from './events.js';
import { readDatasetDescription, type DatasetDescription } from './description.js';

export type BidsDatatype = 'func' | 'eeg' | 'beh' | 'anat';

export interface BidsFile {
  /** Absolute path of the data file. */
  path: string;
  entities: Record<string, string>;
  datatype: BidsDatatype;
  suffix: string;
  extension: string;
  /** Sidecar key-values merged root → file folder (most specific wins). */
  sidecar: Record<string, unknown>;
  /** The sidecar JSON files merged, least specific first. */
  sidecarFiles: string[];
  /** Path of the applicable events.tsv, when there is one. */
  events?: string;
}

export interface BidsDataset {
  /** Absolute dataset root. */
  root: string;
  description: DatasetDescription;
  /** participants.tsv rows (raw text), or null when the file is absent. */
  participants: Record<string, string>[] | null;
  /** Subject labels without the `sub-` prefix, sorted. */
  subjects: string[];
  /** Session labels (without `ses-`) per subject label; empty for sessionless subjects. */
  sessions: Record<string, string[]>;
  /** Data files, sorted by path. */
  files: BidsFile[];
  /** Deviations from BIDS that do not stop analysis (e.g. a missing TaskName). */
  warnings: string[];
}

const DATATYPES: BidsDatatype[] = ['func', 'eeg', 'beh', 'anat'];

/** Extensions that hold data (not metadata) for each datatype. */
const DATA_EXT: Record<BidsDatatype, string[]> = {
  func: ['.nii', '.nii.gz'],
  anat: ['.nii', '.nii.gz'],
  eeg: ['.edf', '.bdf', '.vhdr', '.set', '.fif'],
  beh: ['.tsv', '.tsv.gz'],
};
/** Suffixes that are companions of a recording, never recordings themselves. */
const COMPANION_SUFFIXES = new Set(['events', 'channels', 'electrodes', 'coordsystem', 'physio', 'stim', 'scans', 'sessions']);

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function entries(dir: string): fs.Dirent[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Sub-folders of `dir` named `<prefix>-<label>`, as labels. */
function labelled(dir: string, prefix: string): string[] {
  return entries(dir)
    .filter((d) => d.name.startsWith(`${prefix}-`) && isDir(path.join(dir, d.name)))
    .map((d) => d.name.slice(prefix.length + 1));
}

function checkRequirements(f: BidsFile, origin: Record<string, string>, warnings: string[]): void {
  const rel = f.path;
  if (f.suffix === 'bold') {
    const tr = f.sidecar.RepetitionTime;
    if (tr === undefined)
      throw new InputError(
        rel,
        'no RepetitionTime in any sidecar of its inheritance chain' +
          (f.sidecarFiles.length ? ` (${f.sidecarFiles.map((s) => path.basename(s)).join(', ')})` : ' (no bold.json applies)'),
      );
    if (typeof tr !== 'number' || !(tr > 0))
      throw new InputError(origin.RepetitionTime ?? rel, `RepetitionTime must be a positive number of seconds, got ${JSON.stringify(tr)}`);
  }
  if (f.datatype === 'eeg' && f.suffix === 'eeg') {
    const sf = f.sidecar.SamplingFrequency;
    if (sf === undefined) throw new InputError(rel, 'no SamplingFrequency in any sidecar of its inheritance chain');
    if (typeof sf !== 'number' || !(sf > 0))
      throw new InputError(origin.SamplingFrequency ?? rel, `SamplingFrequency must be a positive number of Hz, got ${JSON.stringify(sf)}`);
  }
  if (f.suffix === 'bold' || (f.datatype === 'eeg' && f.suffix === 'eeg')) {
    if (f.entities.task === undefined) warnings.push(`${rel}: no task entity in the file name`);
    if (f.sidecar.TaskName === undefined) warnings.push(`${rel}: no TaskName in its sidecars`);
    else if (f.entities.task !== undefined && typeof f.sidecar.TaskName === 'string' && f.sidecar.TaskName.replace(/[^a-zA-Z0-9]/g, '') !== f.entities.task) {
      warnings.push(`${rel}: TaskName "${String(f.sidecar.TaskName)}" differs from task-${f.entities.task}`);
    }
  }
}

/**
 * Scan a BIDS dataset. Returns its description, participants, subjects,
 * sessions and every data file with merged sidecar and events path. Any
 * missing or inconsistent file (no dataset_description.json, a participant
 * without a folder, a file name whose sub/ses disagree with its folders, a
 * bold file without RepetitionTime, an EEG file without SamplingFrequency,
 * an events.tsv without onset/duration) is an InputError naming that file.
 */
export function scanBids(rootIn: string): BidsDataset {
  const root = path.resolve(rootIn);
  if (!isDir(root)) throw new InputError(rootIn, 'BIDS root is not a folder');
  const description = readDatasetDescription(root);
  const warnings: string[] = [];
  const subjects = labelled(root, 'sub');

  let participants: Record<string, string>[] | null = null;
  const pfile = path.join(root, 'participants.tsv');
  if (fs.existsSync(pfile)) {
    const t = readTsv(pfile);
    if (!t.columns.includes('participant_id')) throw new InputError(pfile, 'has no participant_id column');
    participants = t.rows;
    const listed = new Set<string>();
    for (const r of t.rows) {
      const id = r.participant_id;
      if (!/^sub-[a-zA-Z0-9]+$/.test(id)) throw new InputError(pfile, `participant_id "${id}" is not of the form sub-<label>`);
      const label = id.slice(4);
      if (!subjects.includes(label)) throw new InputError(pfile, `lists ${id}, but there is no ${id} folder in ${root}`);
      listed.add(label);
    }
    for (const s of subjects) if (!listed.has(s)) warnings.push(`${pfile}: sub-${s} has a folder but is not listed`);
  }

  const sessions: Record<string, string[]> = {};
  const files: BidsFile[] = [];
  const seenEvents = new Set<string>();
  for (const sub of subjects) {
    const subDir = path.join(root, `sub-${sub}`);
    const ses = labelled(subDir, 'ses');
    sessions[sub] = ses;
    if (ses.length > 0) {
      // BIDS forbids mixing: data outside the session folders would otherwise be silently skipped.
      const stray = DATATYPES.filter((dt) => isDir(path.join(subDir, dt)));
      if (stray.length > 0)
        throw new InputError(path.join(subDir, stray[0]), `sub-${sub} has session folders, so its ${stray[0]} data must live inside one of them`);
    }
    const dirs: { dir: string; ses?: string }[] = ses.length ? ses.map((s) => ({ dir: path.join(subDir, `ses-${s}`), ses: s })) : [{ dir: subDir }];
    for (const { dir, ses: sesLabel } of dirs) {
      for (const dt of DATATYPES) {
        const dtDir = path.join(dir, dt);
        if (!isDir(dtDir)) continue;
        for (const d of entries(dtDir)) {
          const full = path.join(dtDir, d.name);
          if (isDir(full)) continue;
          const name = parseBidsName(d.name);
          if (name === null) continue;
          if (name.suffix === 'events' && name.extension === '.tsv') {
            if (!seenEvents.has(full)) {
              seenEvents.add(full);
              checkEventsColumns(readTsv(full), full);
            }
            continue;
          }
          if (COMPANION_SUFFIXES.has(name.suffix) || !DATA_EXT[dt].includes(name.extension)) continue;
          if (name.entities.sub !== sub) throw new InputError(full, `file name says sub-${name.entities.sub ?? '(none)'} but it lies in sub-${sub}`);
          if (name.entities.ses !== sesLabel) {
            throw new InputError(
              full,
              `file name says ${name.entities.ses ? `ses-${name.entities.ses}` : 'no session'} but it lies in ${sesLabel ? `ses-${sesLabel}` : 'no session folder'}`,
            );
          }
          const { sidecar, files: sidecarFiles, origin } = resolveSidecar(root, full);
          const events = findEvents(root, full);
          if (events !== undefined && !seenEvents.has(events)) {
            seenEvents.add(events);
            checkEventsColumns(readTsv(events), events);
          }
          const rec: BidsFile = { path: full, entities: name.entities, datatype: dt, suffix: name.suffix, extension: name.extension, sidecar, sidecarFiles };
          if (events !== undefined) rec.events = events;
          checkRequirements(rec, origin, warnings);
          files.push(rec);
        }
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, description, participants, subjects, sessions, files, warnings };
}

/** Data files of a scanned dataset matching every given entity/field, e.g. `selectFiles(ds, { suffix: 'bold', task: 'music' })`. */
export function selectFiles(
  ds: BidsDataset,
  where: { datatype?: BidsDatatype; suffix?: string; extension?: string } & Record<string, string | undefined>,
): BidsFile[] {
  return ds.files.filter((f) => {
    for (const [k, v] of Object.entries(where)) {
      if (v === undefined) continue;
      if (k === 'datatype' ? f.datatype !== v : k === 'suffix' ? f.suffix !== v : k === 'extension' ? f.extension !== v : f.entities[k] !== v) return false;
    }
    return true;
  });
}
