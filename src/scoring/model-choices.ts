/**
 * The model's genre choices that s_b and the performance axis score: read
 * from the per-clip predictions the train stage wrote for each saved
 * checkpoint (src/artifacts/train-predictions.ts), never by running the
 * network here.
 */
import * as fs from 'node:fs';
import { BEST_CHECKPOINT } from '../artifacts/checkpoints.js';
import { openTrainArtifact } from '../artifacts/train.js';
import { predictionsFile } from '../artifacts/train-predictions.js';
import { InputError } from '../core/errors.js';

/** Per stim id: the model's genre choice and its softmax over genres (genre → probability). */
export interface ClipPredictions {
  choices: Map<string, string>;
  probs: Map<string, Map<string, number>>;
}

/** The predictions table of a checkpoint (null or best: the trained model), or null when the artifact has none. */
export function predictionsOf(trainDir: string, checkpoint: string | null): string | null {
  try {
    const f = predictionsFile(trainDir, checkpoint ?? BEST_CHECKPOINT);
    return fs.existsSync(f) ? f : null;
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
}

/**
 * Choices and softmax of checkpoint `checkpoint` (null = best) of a train
 * artifact: the held-out test clips when the split names any (the model was
 * fitted to the others' labels, so its choices there say nothing about how
 * it generalises), else every clip.
 */
export function modelChoices(trainDir: string, checkpoint: string | null): ClipPredictions {
  const p = openTrainArtifact(trainDir).predictions(checkpoint ?? BEST_CHECKPOINT);
  const test = p.rows.filter((r) => r.split === 'test');
  const rows = test.length > 0 ? test : p.rows;
  return {
    choices: new Map(rows.map((r) => [r.stimId, r.predictedGenre])),
    probs: new Map(rows.map((r) => [r.stimId, new Map(p.classes.map((g, j) => [g, r.probs[j]]))])),
  };
}
