/**
 * A train artifact opened lazily: each file is read (and checked) the first
 * time it is asked for, as nibabel reads image data only on access.
 *
 * Layout: `train.json`, `metrics.tsv`, `split.tsv`, `checkpoints/best/`,
 * `checkpoints/epoch-NNNN/` (each with `predictions.tsv`),
 * `eval/{summary.json, confusion.tsv, per_genre.tsv, predictions.tsv}`.
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { BEST_CHECKPOINT, resolveCheckpoint, savedEpochCheckpoints } from './checkpoints.js';
import { readTrainManifest, type TrainManifest } from './train-manifest.js';
import { readHistory, type EpochRow } from './train-history.js';
import { readSplit, type SplitRow } from './train-split.js';
import { readConfusion, readPerGenre, readTrainSummary, type Confusion, type GenreScore, type TrainSummary } from './train-evaluation.js';
import { predictionsFile, readPredictions, type Predictions } from './train-predictions.js';
import { getOrCreate } from '../core/lookup.js';

export interface TrainArtifact {
  dir: string;
  manifest(): TrainManifest;
  history(): EpochRow[];
  split(): SplitRow[];
  summary(): TrainSummary;
  confusion(): Confusion;
  perGenre(): GenreScore[];
  /** Per-clip predictions of checkpoint `name` (best, the default, or epoch-N). */
  predictions(name?: string): Predictions;
  /** The weights folder of checkpoint `name` (best or epoch-N, any zero padding). */
  checkpoint(name: string): { name: string; dir: string };
  /** Saved epoch checkpoints, in epoch order. */
  epochCheckpoints(): string[];
}

function once<T>(f: () => T): () => T {
  let done = false;
  let v: T;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v;
  };
}

/** Opens a train artifact folder; nothing inside is read until asked for. */
export function openTrainArtifact(dir: string): TrainArtifact {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(dir, 'no such train artifact folder');
  const predictions = new Map<string, Predictions>();
  return {
    dir,
    manifest: once(() => readTrainManifest(dir)),
    history: once(() => readHistory(dir)),
    split: once(() => readSplit(dir)),
    summary: once(() => readTrainSummary(dir)),
    confusion: once(() => readConfusion(dir)),
    perGenre: once(() => readPerGenre(dir)),
    predictions(name = BEST_CHECKPOINT) {
      const key = name === BEST_CHECKPOINT ? name : resolveCheckpoint(dir, name).name;
      return getOrCreate(predictions, key, () => readPredictions(predictionsFile(dir, key)));
    },
    checkpoint: (name) => resolveCheckpoint(dir, name),
    epochCheckpoints: () => savedEpochCheckpoints(dir),
  };
}
