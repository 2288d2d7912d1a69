/**
 * `split.tsv` of a train artifact: every clip of the stimuli folder with its
 * genre and its role in training. The features stage fits PCA and input
 * normalisation on the train rows; the align stage scores performance on the
 * test rows.
 */
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readTable, table, writeTable } from './table.js';

export const SPLIT_ROLES = ['train', 'val', 'test', 'unused'] as const;
export type SplitRole = (typeof SPLIT_ROLES)[number];

export interface SplitRow {
  /** Stimulus id (stimuli.tsv stim_id, else the file name without its audio extension). */
  stimId: string;
  genre: string;
  split: SplitRole;
}

export const splitTable = table(
  { stim_id: 'text', genre: 'text', split: 'text' },
  {
    stim_id: { Description: 'stimulus id (stimuli.tsv)' },
    genre: { Description: 'true genre (folder name)' },
    split: {
      Description: 'role of the clip in training',
      Levels: { train: 'fitted', val: 'early stopping and best-checkpoint choice', test: 'held out; scored in eval/', unused: 'not in any split' },
    },
  },
);

export const splitFile = (trainDir: string): string => path.join(trainDir, 'split.tsv');

export function isSplitRole(s: string): s is SplitRole {
  return (SPLIT_ROLES as readonly string[]).includes(s);
}

export function writeSplit(trainDir: string, rows: SplitRow[]): void {
  writeTable(
    splitFile(trainDir),
    splitTable,
    rows.map((r) => ({ stim_id: r.stimId, genre: r.genre, split: r.split })),
  );
}

export function readSplit(trainDir: string): SplitRow[] {
  const t = readTable(splitFile(trainDir), splitTable);
  return t.rows.map((r) => {
    if (!isSplitRole(r.split)) throw new InputError(t.file, `clip ${r.stim_id}: split "${r.split}" is not one of ${SPLIT_ROLES.join(', ')}`);
    return { stimId: r.stim_id, genre: r.genre, split: r.split };
  });
}
