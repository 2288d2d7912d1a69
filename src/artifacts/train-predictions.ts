/**
 * Per-clip predictions of a train artifact, one table per saved checkpoint:
 * `eval/predictions.tsv` for the best checkpoint, and
 * `checkpoints/epoch-NNNN/predictions.tsv` for each epoch checkpoint. Every
 * clip of the stimuli folder, with its split role, the model's choice and its
 * softmax over the classes (`p_<genre>`). The align stage reads these instead
 * of running the network again.
 */
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { BEST_CHECKPOINT, resolveCheckpoint } from './checkpoints.js';
import { extraCell, readTable, table, writeTable } from './table.js';
import { isSplitRole, type SplitRole } from './train-split.js';

export interface ClipPrediction {
  stimId: string;
  trueGenre: string;
  predictedGenre: string;
  split: SplitRole;
  /** Softmax over `classes`, in their order. */
  probs: number[];
}

export interface Predictions {
  classes: string[];
  rows: ClipPrediction[];
}

/** The declared columns; one `p_<genre>` column per class follows them. */
export const predictionsTable = table(
  { stim_id: 'text', true_genre: 'text', predicted_genre: 'text', split: 'text' },
  {
    stim_id: { Description: 'stimulus id (stimuli.tsv)' },
    true_genre: { Description: 'true genre' },
    split: { Description: 'role of the clip in training (train clips were fitted: their choices are not held-out)' },
  },
);
const P = 'p_';

/** The predictions table of checkpoint `name` (best or epoch-N) of a train artifact. */
export function predictionsFile(trainDir: string, name: string = BEST_CHECKPOINT): string {
  if (name === BEST_CHECKPOINT) return path.join(trainDir, 'eval', 'predictions.tsv');
  return path.join(resolveCheckpoint(trainDir, name).dir, 'predictions.tsv');
}

/** Writes a predictions table; `checkpoint` says in the sidecar which weights made the choices. */
export function writePredictions(file: string, p: Predictions, checkpoint: string): void {
  const pCols = p.classes.map((g) => `${P}${g}`);
  const rows = p.rows.map((r) => {
    if (r.probs.length !== p.classes.length) throw new Error(`predictions of ${r.stimId}: ${r.probs.length} probabilities for ${p.classes.length} classes`);
    const probs = Object.fromEntries(pCols.map((c, j) => [c, r.probs[j]]));
    return { ...probs, stim_id: r.stimId, true_genre: r.trueGenre, predicted_genre: r.predictedGenre, split: r.split };
  });
  writeTable(file, predictionsTable, rows, {
    describe: {
      predicted_genre: {
        Description: `the model’s choice: argmax of the window logits averaged over the clip’s consecutive windows (checkpoint ${checkpoint}, eval mode)`,
      },
    },
    extra: {
      columns: pCols,
      describe: Object.fromEntries(p.classes.map((g, j) => [pCols[j], { Description: `softmax of the averaged logits: probability of ${g}` }])),
    },
  });
}

/** Reads a predictions table; every p_<genre> must be a probability and the choice one of the classes. */
export function readPredictions(file: string): Predictions {
  const t = readTable(file, predictionsTable);
  const pCols = t.extra;
  if (pCols.length < 2 || pCols.some((c) => !c.startsWith(P) || c.length === P.length)) {
    throw new InputError(file, `expected p_<genre> columns after ${Object.keys(predictionsTable.columns).join(', ')}, got ${pCols.join(', ') || 'none'}`);
  }
  const classes = pCols.map((c) => c.slice(P.length));
  const rows = t.rows.map((r, i) => {
    if (!isSplitRole(r.split)) throw new InputError(file, `clip ${r.stim_id}: split "${r.split}" is not train, val, test or unused`);
    if (!classes.includes(r.predicted_genre))
      throw new InputError(file, `clip ${r.stim_id}: predicted_genre "${r.predicted_genre}" is not one of the p_<genre> classes`);
    const probs = pCols.map((c) => {
      const v = extraCell(t, i, c, 'real');
      if (v < 0 || v > 1) throw new InputError(file, `clip ${r.stim_id}: ${c} = ${v} is not a probability`);
      return v;
    });
    return { stimId: r.stim_id, trueGenre: r.true_genre, predictedGenre: r.predicted_genre, split: r.split, probs };
  });
  return { classes, rows };
}
