/**
 * The held-out evaluation of a train artifact, under `eval/`: `summary.json`
 * (window and clip accuracy, chance, exact binomial p, the run's identity),
 * `confusion.tsv` (test clips, true × predicted genre) and `per_genre.tsv`
 * (clip-level precision and recall). Clips are scored by the one per-clip
 * rule of src/models/clip-choice.ts; the report reads these files.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { readJsonFile, writeJsonFile } from './json.js';
import { extraCell, readTable, table, writeTable, type Row } from './table.js';
import { TRAIN_ABLATIONS, TRAIN_ARCHS } from './train-manifest.js';

const fraction = z.number().min(0).max(1);

export const trainSummarySchema = z
  .object({
    model: z.string().describe('model name (folder name in feature stores)'),
    arch: z.enum(TRAIN_ARCHS).describe('recurrent BAN or the feed-forward CNN'),
    ablation: z.enum(TRAIN_ABLATIONS).describe('BAN ablation'),
    accuracy: fraction.nullable().describe('window-level accuracy on the test clips (null: no test split)'),
    clip_accuracy: fraction.nullable().describe('clip-level accuracy on the test clips'),
    chance: fraction.describe('1 / number of classes'),
    n_test_clips: z.number().int().min(0).describe('held-out test clips'),
    n_test_windows: z.number().int().min(0).describe('tiling windows of the test clips'),
    clip_binomial_p: fraction.nullable().describe('exact one-sided binomial p of the clip-level correct count against chance'),
    best_epoch: z.number().int().min(0).describe('epoch of checkpoints/best'),
    epochs_run: z.number().int().min(0).describe('epochs trained before the maximum or early stopping'),
    n_parameters: z.number().int().min(0).describe('trainable parameters'),
    classes: z.array(z.string()).min(2).describe('genres in output order'),
    backend: z.string().describe('tfjs backend the network trained on'),
    threads: z.number().int().positive().nullable().describe('wasm threads (null on other backends)'),
  })
  .strict();
export type TrainSummary = z.output<typeof trainSummarySchema>;

export const evalDir = (trainDir: string): string => path.join(trainDir, 'eval');
export const summaryFile = (trainDir: string): string => path.join(evalDir(trainDir), 'summary.json');
export const confusionFile = (trainDir: string): string => path.join(evalDir(trainDir), 'confusion.tsv');
export const perGenreFile = (trainDir: string): string => path.join(evalDir(trainDir), 'per_genre.tsv');

export function writeTrainSummary(trainDir: string, s: TrainSummary): void {
  writeJsonFile(summaryFile(trainDir), trainSummarySchema, s);
}

export function readTrainSummary(trainDir: string): TrainSummary {
  return readJsonFile(summaryFile(trainDir), trainSummarySchema);
}

/** Clip counts of the test split, [true][predicted], rows and columns in `classes` order. */
export interface Confusion {
  classes: string[];
  counts: number[][];
}

/** The declared column; one column per predicted genre follows it, in `classes` order. */
export const confusionTable = table(
  { true_genre: 'text' },
  {
    true_genre: { Description: 'true genre of held-out test clips; other columns: number of clips predicted as that genre (clip = averaged window logits)' },
  },
);

export function writeConfusion(trainDir: string, c: Confusion): void {
  const rows = c.counts.map((row, t) => ({ ...Object.fromEntries(c.classes.map((g, j) => [g, row[j]])), true_genre: c.classes[t] }));
  writeTable(confusionFile(trainDir), confusionTable, rows, { extra: { columns: c.classes, describe: {} } });
}

export function readConfusion(trainDir: string): Confusion {
  const t = readTable(confusionFile(trainDir), confusionTable);
  const classes = t.extra;
  if (t.rows.map((r) => r.true_genre).join('\t') !== classes.join('\t'))
    throw new InputError(t.file, 'rows must list the same genres as the columns, in the same order');
  const counts = t.rows.map((r, i) =>
    classes.map((g) => {
      const v = extraCell(t, i, g, 'int');
      if (v < 0) throw new InputError(t.file, `${r.true_genre} → ${g}: counts must be non-negative integers`);
      return v;
    }),
  );
  return { classes, counts };
}

/** Precision is n/a when no test clip was predicted as the genre, recall when none of it was held out. */
export const perGenreTable = table(
  { genre: 'text', precision: 'num', recall: 'num', n: 'int' },
  {
    genre: { Description: 'genre' },
    precision: { Description: 'held-out test clips predicted as this genre that are this genre (n/a: none predicted)' },
    recall: { Description: 'held-out test clips of this genre predicted correctly (n/a: none held out)' },
    n: { Description: 'held-out test clips of this genre' },
  },
);
export type GenreScore = Row<typeof perGenreTable.columns>;

export function writePerGenre(trainDir: string, rows: GenreScore[]): void {
  writeTable(perGenreFile(trainDir), perGenreTable, rows);
}

export function readPerGenre(trainDir: string): GenreScore[] {
  return readTable(perGenreFile(trainDir), perGenreTable).rows;
}
