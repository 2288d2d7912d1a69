/**
 * What study-mode encode and its voxel chunks share: the stage spec of one
 * subject's encoding (its key names the chunks that belong to it) and the
 * check that the features are finite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { firstNonFinite } from '../core/finite.js';
import { readNpy } from '../io/npy.js';
import type { StageSpec } from '../pipeline/stage.js';
import { atlasPathFor, type EncodeConfig } from '../encoding/config.js';
import type { VoxelChunk } from '../encoding/voxel-chunks.js';
import { stageSpec, type StageTarget } from './outcome.js';

/** Bumped when the study-mode outputs change for the same inputs. */
export const ENCODE_CODE_VERSION = 'encode-study-3';

export interface EncodeStudyOptions extends StageTarget {
  /** A features artifact folder (one feature set, or one per checkpoint). */
  featuresDir: string;
  /** BIDS dataset with the BOLD runs, events and atlas. */
  bids: string;
  /** Subject label, with or without `sub-`. */
  subject: string;
  /** The encode section of the config, overrides applied. */
  config: EncodeConfig;
  /** Fit only this voxel chunk, into an `encode-chunk` artifact (src/stages/encode-chunk.ts). */
  chunk?: VoxelChunk;
  /** The chunk artifact folders whose fits replace the fitting; the encoding is otherwise the local one. */
  merge?: string[];
}

/** The subject's encoding as a stage: inputs (its func folder, atlas, top-level sidecars), parameters, published. */
export function encodeStageSpec(o: EncodeStudyOptions): { spec: StageSpec; subject: string } {
  const sub = o.subject.replace(/^sub-/, '');
  const subDir = path.join(o.bids, `sub-${sub}`);
  if (!fs.existsSync(subDir)) throw new InputError(o.bids, `no sub-${sub} folder`);
  const resolveIn = (p: string): string => (path.isAbsolute(p) ? p : path.join(o.bids, p));
  // Top-level sidecars (dataset_description, task-*_bold.json) reach the runs by BIDS inheritance.
  const topJson = Object.fromEntries(
    fs
      .readdirSync(o.bids)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => [`bids-${f}`, path.join(o.bids, f)]),
  );
  const atlas = o.config.atlas;
  const spec = stageSpec(o, {
    stage: 'encode',
    codeVersion: ENCODE_CODE_VERSION,
    inputs: {
      features: o.featuresDir,
      func: path.join(subDir, 'func'),
      atlas: resolveIn(atlasPathFor(atlas.dseg, sub)),
      labels: resolveIn(atlasPathFor(atlas.labels, sub)),
      mask: resolveIn(atlasPathFor(atlas.mask, sub)),
      ...topJson,
    },
    params: { subject: sub, encode: o.config },
    publish: true,
  });
  return { spec, subject: sub };
}

/** Every .npy of a feature set must be finite: one NaN column would make every r of the subject n/a. */
export function checkFiniteFeatures(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) checkFiniteFeatures(p);
    else if (e.name.endsWith('.npy')) {
      const a = readNpy(p);
      if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) continue;
      const bad = firstNonFinite(a.data as ArrayLike<number>);
      if (bad >= 0) throw new InputError(p, `element ${bad} is ${String(a.data[bad])}; features must be finite`);
    }
  }
}
