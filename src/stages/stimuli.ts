/**
 * The clips of a study's stimuli folder as the train and features stages see
 * them: stimuli.tsv (synth's and `data prepare`'s `stim_id … path …
 * [fmri_set]`) when present, in its row order, else every
 * `<genre>/*.{wav,au}` sorted, named by file name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readTsv } from '../io/tsv.js';
import { isAudioFile, stripAudioExtension } from '../io/audio.js';

export interface StudyStimulus {
  stimId: string;
  /** `<genre>/<file>`, the clip id of the models library (src/models/dataset.ts). */
  clip: string;
  file: string;
  /** `fmri_set` of stimuli.tsv (train, test) or null. */
  fmriSet: string | null;
}

/** Checks that `dir` is a folder; the error names the path as given. */
export function stimuliFolder(given: string): string {
  const dir = path.resolve(given);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(given, 'no such stimuli folder');
  return dir;
}

export const studyStimuliTable = (stimDir: string): string => path.join(stimDir, 'stimuli.tsv');

export function readStudyStimuli(stimDir: string): StudyStimulus[] {
  const tsv = studyStimuliTable(stimDir);
  if (fs.existsSync(tsv)) {
    const t = readTsv(tsv);
    for (const c of ['stim_id', 'path']) if (!t.columns.includes(c)) throw new InputError(tsv, `missing column "${c}"`);
    const hasSet = t.columns.includes('fmri_set');
    return t.rows.map((r) => {
      const clip = r.path.split('/').slice(-2).join('/');
      const file = path.join(stimDir, clip);
      if (!fs.existsSync(file)) throw new InputError(tsv, `clip ${r.stim_id}: ${clip} not found in ${stimDir}`);
      return { stimId: r.stim_id, clip, file, fmriSet: hasSet && r.fmri_set !== 'n/a' ? r.fmri_set : null };
    });
  }
  const out: StudyStimulus[] = [];
  for (const g of fs
    .readdirSync(stimDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()) {
    for (const f of fs.readdirSync(path.join(stimDir, g)).filter(isAudioFile).sort()) {
      out.push({ stimId: stripAudioExtension(f), clip: `${g}/${f}`, file: path.join(stimDir, g, f), fmriSet: null });
    }
  }
  if (out.length === 0) throw new InputError(stimDir, 'no stimuli.tsv and no <genre>/*.wav or *.au clips');
  return out;
}
