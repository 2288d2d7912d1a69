/**
 * The model's genre choice and softmax per clip when the train artifact has
 * no eval/predictions.tsv, or for an earlier checkpoint: the checkpoint is
 * loaded and every tiling window of each clip classified; a clip's choice is
 * the argmax of its windows' mean logits (the clip-level rule the evaluation
 * uses) and its probabilities their softmax. Imports tfjs (through
 * src/models), so callers import this module lazily.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readTsv } from '../io/tsv.js';
import { initBackend } from '../models/backend.js';
import { loadCheckpoint } from '../models/checkpoint.js';
import { listGtzan, loadClips } from '../models/dataset.js';
import { windowLogits } from '../models/train.js';

/** The checkpoint folder a train artifact offers: checkpoints/best, else the last checkpoints/epoch-NNN. */
export function checkpointDir(trainDir: string): string {
  const base = path.join(trainDir, 'checkpoints');
  if (fs.existsSync(path.join(base, 'best'))) return path.join(base, 'best');
  const epochs = fs.existsSync(base) ? fs.readdirSync(base).filter((d) => /^epoch-\d+$/.test(d)).sort() : [];
  if (epochs.length === 0) throw new InputError(trainDir, 'train artifact has neither eval/predictions.tsv nor checkpoints/ to predict clip genres from');
  return path.join(base, epochs[epochs.length - 1]);
}

/**
 * Clips of the train artifact's test split (split.tsv: a clip id column —
 * stim_id, clip or id — and a split column), or null when it records none.
 * Ids are reduced to stim ids (`metal/metal.00003.wav` → `metal.00003`).
 */
export function testSplitClips(trainDir: string): Set<string> | null {
  const f = path.join(trainDir, 'split.tsv');
  if (!fs.existsSync(f)) return null;
  const t = readTsv(f);
  const idCol = ['stim_id', 'clip', 'id'].find((c) => t.columns.includes(c));
  if (!idCol || !t.columns.includes('split')) return null;
  return new Set(t.rows.filter((r) => r.split === 'test').map((r) => stimIdOf(r[idCol])));
}

/** `genre/genre.00003.wav` or `genre.00003.wav` → `genre.00003`. */
export const stimIdOf = (id: string): string => path.basename(id).replace(/\.wav$/i, '');

/** Per stim id: the model's genre choice and its softmax over genres (genre → probability). */
export interface ClipPredictions {
  choices: Map<string, string>;
  probs: Map<string, Map<string, number>>;
}

/**
 * Genre choice (class name) and softmax per stim id for the clips under
 * `stimuliDir` (GTZAN layout), restricted to the test split when the artifact
 * records one. The softmax is of the clip's mean window logits, as the train
 * verb writes it to predictions.tsv. `checkpoint` names a folder under
 * checkpoints/ (default: best, else the last epoch).
 */
export async function predictClipGenres(trainDir: string, stimuliDir: string, checkpoint?: string): Promise<ClipPredictions> {
  await initBackend('wasm');
  const { model } = loadCheckpoint(checkpoint ? path.join(trainDir, 'checkpoints', checkpoint) : checkpointDir(trainDir));
  const { classes, clips } = listGtzan(stimuliDir);
  const names = model.config.classes ?? classes;
  if (names.length !== model.config.nClasses) throw new InputError(stimuliDir, `${names.length} genres but the model has ${model.config.nClasses} outputs`);
  const test = testSplitClips(trainDir);
  const refs = clips.filter((c) => !test || test.has(stimIdOf(c.id)));
  const loaded = loadClips(refs, { nMels: model.config.nMels });
  const { logits, clipOf, nClasses } = windowLogits(model, loaded);
  const sum = new Float64Array(loaded.length * nClasses);
  const count = new Float64Array(loaded.length);
  for (let w = 0; w < clipOf.length; w++) {
    count[clipOf[w]]++;
    for (let j = 0; j < nClasses; j++) sum[clipOf[w] * nClasses + j] += logits[w * nClasses + j];
  }
  const choices = new Map<string, string>();
  const probs = new Map<string, Map<string, number>>();
  loaded.forEach((c, i) => {
    let best = 0;
    for (let j = 1; j < nClasses; j++) if (sum[i * nClasses + j] > sum[i * nClasses + best]) best = j;
    const id = stimIdOf(c.id);
    choices.set(id, names[best]);
    // Softmax of the mean logits, shifted by the maximum for stability.
    const z = Array.from(sum.subarray(i * nClasses, (i + 1) * nClasses), (v) => v / Math.max(1, count[i]));
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const tot = e.reduce((a, b) => a + b, 0);
    probs.set(id, new Map(names.map((g, j) => [g, e[j] / tot])));
  });
  return { choices, probs };
}
