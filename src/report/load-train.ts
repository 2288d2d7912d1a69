/**
 * The training section of the report from a train artifact, read through
 * its typed module (src/artifacts/train.ts): the epoch history, the held-out
 * confusion matrix and per-genre scores, and the evaluation summary.
 */
import { openTrainArtifact } from '../artifacts/train.js';
import type { TrainingSection } from './data.js';

/** The training section of the train artifact in `dir`, labelled `model`. */
export function readTrainForReport(dir: string, model: string): TrainingSection {
  const t = openTrainArtifact(dir);
  const s = t.summary();
  const c = t.confusion();
  return {
    model,
    epochs: t.history(),
    bestEpoch: s.best_epoch,
    classes: c.classes,
    confusion: c.counts,
    confusionUnit: 'clips',
    perClass: t.perGenre().map((g) => ({ genre: g.genre, precision: g.precision, recall: g.recall, support: g.n })),
    accuracy: s.accuracy,
    clipAccuracy: s.clip_accuracy,
    chance: s.chance,
    clipP: s.clip_binomial_p,
  };
}
