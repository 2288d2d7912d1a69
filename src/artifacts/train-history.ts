/**
 * `metrics.tsv` of a train artifact: one row per epoch. Wall times are not a
 * function of the inputs, so they go to provenance.json, never here.
 */
import * as path from 'node:path';
import { readTable, table, writeTable, type Row } from './table.js';

/** Validation columns are n/a when there is no validation split. */
export const historyTable = table(
  { epoch: 'int', train_loss: 'real', train_acc: 'real', val_loss: 'num', val_acc: 'num' },
  {
    train_loss: { Description: 'mean softmax cross-entropy over augmented training windows', Units: 'nats' },
    train_acc: { Description: 'fraction of training windows classified correctly during the epoch' },
    val_loss: { Description: 'mean cross-entropy over tiling windows of validation clips (eval mode)', Units: 'nats' },
    val_acc: { Description: 'window-level validation accuracy' },
  },
);
export type EpochRow = Row<typeof historyTable.columns>;

export const historyFile = (trainDir: string): string => path.join(trainDir, 'metrics.tsv');

export function writeHistory(trainDir: string, rows: EpochRow[]): void {
  writeTable(historyFile(trainDir), historyTable, rows);
}

export function readHistory(trainDir: string): EpochRow[] {
  return readTable(historyFile(trainDir), historyTable).rows;
}
