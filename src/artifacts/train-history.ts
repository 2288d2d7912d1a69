/**
 * `metrics.tsv` of a train artifact: one row per epoch. Wall times are not a
 * function of the inputs, so they go to provenance.json, never here.
 */
import * as path from 'node:path';
import { writeTsv } from '../io/tsv.js';
import { finiteCell, optionalCell, readTable } from './files.js';

export interface EpochRow {
  epoch: number;
  train_loss: number;
  train_acc: number;
  /** Null when there is no validation split. */
  val_loss: number | null;
  val_acc: number | null;
}

const COLUMNS = ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc'] as const;

export const historyFile = (trainDir: string): string => path.join(trainDir, 'metrics.tsv');

export function writeHistory(trainDir: string, rows: EpochRow[]): void {
  writeTsv(historyFile(trainDir), [...COLUMNS], rows.map((r) => ({ ...r })), {
    train_loss: { Description: 'mean softmax cross-entropy over augmented training windows', Units: 'nats' },
    train_acc: { Description: 'fraction of training windows classified correctly during the epoch' },
    val_loss: { Description: 'mean cross-entropy over tiling windows of validation clips (eval mode)', Units: 'nats' },
    val_acc: { Description: 'window-level validation accuracy' },
  });
}

export function readHistory(trainDir: string): EpochRow[] {
  const t = readTable(historyFile(trainDir), COLUMNS);
  return t.rows.map((r) => ({
    epoch: finiteCell(t, r, 'epoch'),
    train_loss: finiteCell(t, r, 'train_loss'),
    train_acc: finiteCell(t, r, 'train_acc'),
    val_loss: optionalCell(t, r, 'val_loss'),
    val_acc: optionalCell(t, r, 'val_acc'),
  }));
}
