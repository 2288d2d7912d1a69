/**
 * `brainalign encode --chunk I/N` and `--merge`: the fan-out of one
 * study-mode encoding over voxel chunks (docs/scale-out.md). A chunk is its
 * own cached stage, `encode-chunk`, keyed by the key of the encoding it is a
 * part of, so a chunk can only ever be merged into that encoding; the merged
 * encoding has the local run's key and bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { resolveArtifact, runStage, stageKey, type StageSpec } from '../pipeline/stage.js';
import type { EncodeConfig } from '../encoding/config.js';
import { fitSpaces, readSubject, modelSpaces, featureModels, type SpaceFit, type SubjectData } from '../encoding/study.js';
import type { FeatureSpaceRef } from '../encoding/feature-store.js';
import { emptyFits, mergeChunkFits, voxelRange, writeChunkFits, type VoxelChunk } from '../encoding/voxel-chunks.js';
import { checkDelays } from './encode-checks.js';
import { checkFiniteFeatures } from './encode-study.js';

/** Bumped when a chunk's files change for the same encoding. */
const CHUNK_CODE_VERSION = 'encode-chunk-1';

/** `I/N` with 1 ≤ I ≤ N (1-based, as make counts) → a 0-based chunk. */
export function parseChunk(text: string): VoxelChunk {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(Number.isSafeInteger(i) && Number.isSafeInteger(n) && i >= 1 && i <= n))
    throw new InputError('--chunk', `expected I/N with 1 ≤ I ≤ N, e.g. 2/4; got "${text}"`);
  return { index: i - 1, count: n };
}

/** Where a store's model goes inside a chunk artifact: the store's place in the features artifact, then the model. */
const modelDir = (base: string, featuresDir: string, store: string, model: string): string => path.join(base, path.relative(featuresDir, store), model);

export async function runEncodeChunk(
  encode: StageSpec,
  chunk: VoxelChunk,
  a: { bids: string; subject: string; cfg: EncodeConfig; stores: string[]; featuresDir: string },
): Promise<void> {
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
      for (const store of a.stores) checkFiniteFeatures(store);
      // Only the chunk's voxels are read and cleaned (per voxel, so as in a whole-subject read).
      let nFitted = 0;
      let range = { lo: 0, hi: 0 };
      const part = readSubject(a.bids, a.subject, a.cfg, {
        voxels: (n) => {
          nFitted = n;
          range = voxelRange(chunk, n);
          return range;
        },
      });
      checkDelays(a.cfg.delays, Math.min(...[...part.train, ...part.test].map((r) => r.nVols)));
      for (const store of a.stores) {
        for (const model of featureModels(store)) {
          const { spaces } = modelSpaces(store, a.cfg, model);
          const fits = range.hi > range.lo ? fitSpaces(store, spaces, part, a.cfg) : emptyFits(spaces);
          writeChunkFits(modelDir(dir, a.featuresDir, store, model), fits, chunk, range, nFitted, part.nTest);
        }
      }
    },
  );
  process.stdout.write(
    `encode: sub-${a.subject} chunk ${chunk.index + 1}/${chunk.count} of ${encodeKey} ${res.upToDate ? 'up to date' : 'done'} (${res.key})\n`,
  );
}

/**
 * The fits of the encoding `encode` from its chunk artifacts, per store and
 * model. Every chunk must belong to this encoding (its key) and all N chunks
 * of one split must be given.
 */
export function chunkFitsReader(
  encode: StageSpec,
  chunks: string[],
  featuresDir: string,
): (store: string, model: string) => (spaces: readonly FeatureSpaceRef[], d: SubjectData) => SpaceFit[] {
  const encodeKey = stageKey(encode).key;
  const dirs = chunks.map((c) => {
    const dir = resolveArtifact(c, '--merge');
    const prov = JSON.parse(fs.readFileSync(path.join(dir, 'provenance.json'), 'utf8')) as { stage?: string; params?: { encode?: string; chunk?: VoxelChunk } };
    if (prov.stage !== 'encode-chunk' || prov.params?.encode !== encodeKey) throw new InputError(c, `--merge: not a chunk of this encoding (${encodeKey})`);
    return { dir, chunk: prov.params.chunk };
  });
  const counts = new Set(dirs.map((x) => x.chunk?.count));
  if (counts.size !== 1 || dirs.length !== [...counts][0])
    throw new InputError('--merge', `give every chunk of one split exactly once (got ${dirs.length} chunk(s) of ${[...counts].join(', ')})`);
  return (store, model) => (spaces, d) =>
    mergeChunkFits(
      dirs.map((x) => modelDir(x.dir, featuresDir, store, model)),
      spaces,
      d.voxels.length,
      d.nTest,
    );
}
