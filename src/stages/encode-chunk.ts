/**
 * The fan-out of one study-mode encoding over voxel chunks
 * (docs/scale-out.md). A chunk is its own cached stage, `encode-chunk`, keyed
 * by the key of the encoding it is a part of, so a chunk can only ever be
 * merged into that encoding; the merged encoding has the local run's key and bytes.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { runStage, stageKey, type StageSpec } from '../pipeline/stage.js';
import type { EncodeConfig } from '../encoding/config.js';
import { checkDelays } from '../encoding/delays.js';
import { fitSpaces, readSubject, modelSpaces, featureModels, type SpaceFit, type SubjectData } from '../encoding/study.js';
import type { FeatureSpaceRef } from '../encoding/feature-store.js';
import { emptyFits, mergeChunkFits, voxelRange, writeChunkFits, type VoxelChunk } from '../encoding/voxel-chunks.js';
import { readJsonFile } from '../artifacts/json.js';
import { checkFiniteFeatures } from './encode-inputs.js';
import type { StageOutcome } from './outcome.js';

/** Bumped when a chunk's files change for the same encoding. */
const CHUNK_CODE_VERSION = 'encode-chunk-1';

/** `I/N` with 1 ≤ I ≤ N (1-based, as make counts) → a 0-based chunk. Errors name `chunk`. */
export function parseChunk(text: string): VoxelChunk {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(Number.isSafeInteger(i) && Number.isSafeInteger(n) && i >= 1 && i <= n))
    throw new InputError('chunk', `expected I/N with 1 ≤ I ≤ N, e.g. 2/4; got "${text}"`);
  return { index: i - 1, count: n };
}

/** Where a feature set's model goes inside a chunk artifact: the set's place in the features artifact, then the model. */
const modelDir = (base: string, featuresDir: string, set: string, model: string): string => path.join(base, path.relative(featuresDir, set), model);

export interface ChunkInputs {
  bids: string;
  subject: string;
  config: EncodeConfig;
  featuresDir: string;
  /** The feature set folders of the features artifact. */
  sets: string[];
}

/** Fit one voxel chunk of the encoding `encode` into its own artifact. */
export async function runEncodeChunk(encode: StageSpec, chunk: VoxelChunk, a: ChunkInputs): Promise<StageOutcome> {
  const encodeKey = stageKey(encode).key;
  const res = await runStage(
    {
      stage: 'encode-chunk',
      codeVersion: CHUNK_CODE_VERSION,
      root: encode.root,
      inputs: {},
      params: { encode: encodeKey, chunk },
      seed: encode.seed,
      stamp: encode.stamp,
    },
    ({ dir }) => {
      for (const set of a.sets) checkFiniteFeatures(set);
      // Only the chunk's voxels are read and cleaned (per voxel, so as in a whole-subject read).
      let nFitted = 0;
      let range = { lo: 0, hi: 0 };
      const part = readSubject(a.bids, a.subject, a.config, {
        voxels: (n) => {
          nFitted = n;
          range = voxelRange(chunk, n);
          return range;
        },
      });
      checkDelays(a.config.delays, Math.min(...[...part.train, ...part.test].map((r) => r.nVols)));
      for (const set of a.sets) {
        for (const model of featureModels(set)) {
          const { spaces } = modelSpaces(set, a.config, model);
          const fits = range.hi > range.lo ? fitSpaces(set, spaces, part, a.config) : emptyFits(spaces);
          writeChunkFits(modelDir(dir, a.featuresDir, set, model), fits, chunk, range, nFitted, part.nTest);
        }
      }
    },
  );
  return { ...res, scope: `sub-${a.subject} chunk ${chunk.index + 1}/${chunk.count} of ${encodeKey}`, summary: '' };
}

const chunkProvenanceSchema = z.object({
  stage: z.string(),
  params: z.object({ encode: z.string(), chunk: z.object({ index: z.number().int(), count: z.number().int() }) }).partial(),
});

/**
 * The fits of the encoding `encode` from its chunk artifact folders, per
 * feature set and model. Every chunk must belong to this encoding (its key)
 * and all N chunks of one split must be given; errors name `merge` or the folder.
 */
export function chunkFitsReader(
  encode: StageSpec,
  chunks: string[],
  featuresDir: string,
): (set: string, model: string) => (spaces: readonly FeatureSpaceRef[], d: SubjectData) => SpaceFit[] {
  const encodeKey = stageKey(encode).key;
  const dirs = chunks.map((dir) => {
    const prov = readJsonFile(path.join(dir, 'provenance.json'), chunkProvenanceSchema);
    if (prov.stage !== 'encode-chunk' || prov.params.encode !== encodeKey) throw new InputError(dir, `not a chunk of this encoding (${encodeKey})`);
    return { dir, chunk: prov.params.chunk };
  });
  const counts = new Set(dirs.map((x) => x.chunk?.count));
  if (counts.size !== 1 || dirs.length !== [...counts][0])
    throw new InputError('merge', `give every chunk of one split exactly once (got ${dirs.length} chunk(s) of ${[...counts].join(', ')})`);
  return (set, model) => (spaces, d) =>
    mergeChunkFits(
      dirs.map((x) => modelDir(x.dir, featuresDir, set, model)),
      spaces,
      d.voxels.length,
      d.nTest,
    );
}
