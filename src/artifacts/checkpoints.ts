/**
 * The checkpoint folders of a train artifact: `checkpoints/best/` (the
 * weights of the lowest validation loss) and `checkpoints/epoch-NNNN/` (every
 * K epochs and the untrained epoch 0). This module is the one place that
 * knows the naming; the weights format itself is src/models/checkpoint.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';

export const BEST_CHECKPOINT = 'best';

/** An epoch checkpoint folder's name. */
export const EPOCH_NAME = /^epoch-(\d+)$/;

/** A checkpoint as a config or option names it: best, all (every epoch folder) or epoch-N. */
export const CHECKPOINT_CHOICE = /^(best|all|epoch-\d+)$/;

/** `epoch-NNNN` (zero-padded to four digits, so names sort by epoch up to 9999). */
export function epochCheckpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** The training epoch an `epoch-N` name stands for; null for best or any other name. */
export function checkpointEpoch(name: string | null): number | null {
  const m = name === null ? null : EPOCH_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

export function checkpointsRoot(trainDir: string): string {
  return path.join(trainDir, 'checkpoints');
}

/** The epoch checkpoint folders a train artifact saved, in epoch order. */
export function savedEpochCheckpoints(trainDir: string): string[] {
  const root = checkpointsRoot(trainDir);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((d) => EPOCH_NAME.test(d))
    .sort((a, b) => (checkpointEpoch(a) as number) - (checkpointEpoch(b) as number));
}

/**
 * The folder of checkpoint `name` of a train artifact: best, or epoch-N
 * matched by number (any zero padding). Throws an InputError naming the
 * `checkpoint` parameter and listing what was saved.
 */
export function resolveCheckpoint(trainDir: string, name: string): { name: string; dir: string } {
  const root = checkpointsRoot(trainDir);
  if (name === BEST_CHECKPOINT) {
    const dir = path.join(root, BEST_CHECKPOINT);
    if (!fs.existsSync(dir)) throw new InputError(trainDir, 'train artifact has no checkpoints/best');
    return { name, dir };
  }
  const epoch = checkpointEpoch(name);
  const saved = savedEpochCheckpoints(trainDir);
  const hit = epoch === null ? undefined : saved.find((d) => checkpointEpoch(d) === epoch);
  if (!hit) throw new InputError('checkpoint', `${trainDir} has no checkpoint ${name} (saved: ${saved.join(', ') || 'none'})`);
  return { name: hit, dir: path.join(root, hit) };
}
