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
import { writeJsonAtomic } from '../core/atomic.js';
import { writeTsv } from '../io/tsv.js';
import { finiteCell, optionalCell, readJsonFile, readTable } from './files.js';
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
  writeJsonAtomic(summaryFile(trainDir), trainSummarySchema.parse(s));
}

export function readTrainSummary(trainDir: string): TrainSummary {
  return readJsonFile(summaryFile(trainDir), trainSummarySchema);
}

/** Clip counts of the test split, [true][predicted], rows and columns in `classes` order. */
export interface Confusion {
  classes: string[];
  counts: number[][];
}

export function writeConfusion(trainDir: string, c: Confusion): void {
  writeTsv(confusionFile(trainDir), ['true_genre', ...c.classes], c.counts.map((row, t) => ({ true_genre: c.classes[t], ...Object.fromEntries(c.classes.map((g, j) => [g, row[j]])) })), {
    true_genre: { Description: 'true genre of held-out test clips; other columns: number of clips predicted as that genre (clip = averaged window logits)' },
  });
}

export function readConfusion(trainDir: string): Confusion {
  const t = readTable(confusionFile(trainDir), ['true_genre']);
  const classes = t.columns.slice(1);
  if (t.rows.map((r) => r.true_genre).join('\t') !== classes.join('\t')) throw new InputError(t.file, 'rows must list the same genres as the columns, in the same order');
  const counts = t.rows.map((r) => classes.map((g) => {
    const v = finiteCell(t, r, g);
    if (!Number.isInteger(v) || v < 0) throw new InputError(t.file, `${r.true_genre} → ${g}: counts must be non-negative integers`);
    return v;
  }));
  return { classes, counts };
}

export interface GenreScore {
  genre: string;
  /** Null when no test clip was predicted as this genre. */
  precision: number | null;
  /** Null when no test clip of this genre was held out. */
  recall: number | null;
  n: number;
}

const PER_GENRE = ['genre', 'precision', 'recall', 'n'] as const;

export function writePerGenre(trainDir: string, rows: GenreScore[]): void {
  writeTsv(perGenreFile(trainDir), [...PER_GENRE], rows.map((r) => ({ ...r })), {
    genre: { Description: 'genre' },
    precision: { Description: 'held-out test clips predicted as this genre that are this genre (n/a: none predicted)' },
    recall: { Description: 'held-out test clips of this genre predicted correctly (n/a: none held out)' },
    n: { Description: 'held-out test clips of this genre' },
  });
}

export function readPerGenre(trainDir: string): GenreScore[] {
  const t = readTable(perGenreFile(trainDir), PER_GENRE);
  return t.rows.map((r) => ({ genre: r.genre, precision: optionalCell(t, r, 'precision'), recall: optionalCell(t, r, 'recall'), n: finiteCell(t, r, 'n') }));
}
