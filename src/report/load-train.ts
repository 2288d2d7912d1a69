/**
 * The training section from a train artifact, in the one layout the train
 * stage writes today (src/cli/train.ts, src/models/train.ts): `metrics.tsv`
 * (epoch, train_loss, train_acc, val_loss, val_acc), `eval/confusion.tsv`
 * (true_genre, one column per genre; held-out clips), `eval/per_genre.tsv`
 * (genre, precision, recall, n) and `eval/summary.json`. Kept apart so that
 * it can be switched to the train artifact's own typed reader
 * (src/artifacts/train.ts) in one place.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { readJsonFile } from '../artifacts/json.js';
import { readTable, table } from '../artifacts/table.js';
import type { TrainingSection } from './data.js';

const metricsTable = table({ epoch: 'int', train_loss: 'num', train_acc: 'num', val_loss: 'num', val_acc: 'num' }, {});
const perGenreTable = table({ genre: 'text', precision: 'num', recall: 'num', n: 'int' }, {});
const confusionTable = table({ true_genre: 'text' }, {});
const summarySchema = z.object({
  accuracy: z.number().nullable(),
  clip_accuracy: z.number().nullable(),
  chance: z.number(),
  clip_binomial_p: z.number().nullable(),
  best_epoch: z.number().int(),
}).loose();

/** The training section of the train artifact in `dir`, labelled `model`. */
export function readTrainForReport(dir: string, model: string): TrainingSection {
  const epochs = readTable(path.join(dir, 'metrics.tsv'), metricsTable).rows;
  const conf = readTable(path.join(dir, 'eval', 'confusion.tsv'), confusionTable);
  const classes = conf.extra;
  if (conf.rows.length !== classes.length || conf.rows.some((r, i) => r.true_genre !== classes[i])) {
    throw new InputError(conf.file, `rows (${conf.rows.map((r) => r.true_genre).join(', ')}) must name the same genres as the columns (${classes.join(', ')}), in order`);
  }
  const confusion = conf.extraCells.map((cells, i) => classes.map((k) => {
    const v = Number(cells[k]);
    if (!Number.isInteger(v) || v < 0) throw new InputError(conf.file, `line ${i + 2}, column "${k}": counts must be non-negative integers, got "${cells[k]}"`);
    return v;
  }));
  const perGenre = readTable(path.join(dir, 'eval', 'per_genre.tsv'), perGenreTable).rows;
  const s = readJsonFile(path.join(dir, 'eval', 'summary.json'), summarySchema);
  return {
    model, epochs, bestEpoch: s.best_epoch, classes, confusion, confusionUnit: 'clips',
    perClass: perGenre.map((g) => ({ genre: g.genre, precision: g.precision, recall: g.recall, support: g.n })),
    accuracy: s.accuracy, clipAccuracy: s.clip_accuracy, chance: s.chance, clipP: s.clip_binomial_p,
  };
}
