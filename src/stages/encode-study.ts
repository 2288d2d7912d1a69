/**
 * The encode stage (study mode): one subject's voxel-wise encoding of every
 * model of a features artifact, as a cached stage whose maps are published
 * into the BIDS derivatives tree (src/artifacts/encode.ts). With a chunk it
 * fits only those voxels (src/stages/encode-chunk.ts); with chunk folders to
 * merge it takes their fits instead of fitting, for the same bytes.
 */
import * as path from 'node:path';
import { Rng } from '../core/prng.js';
import { artifactDir, runStage } from '../pipeline/stage.js';
import { checkDelays } from '../encoding/delays.js';
import { featureSetCheckpoint, featureSetDirs } from '../artifacts/features.js';
import { checkFiniteFeatures, encodeStageSpec, type EncodeStudyOptions } from './encode-inputs.js';
import { chunkFitsReader, runEncodeChunk } from './encode-chunk.js';
import type { StageOutcome } from './outcome.js';

export type { EncodeStudyOptions } from './encode-inputs.js';

const fmt = (r: number): string => (Number.isFinite(r) ? r.toFixed(3) : 'n/a');

export async function runEncodeStudyStage(o: EncodeStudyOptions): Promise<StageOutcome> {
  const { spec, subject: sub } = encodeStageSpec(o);
  const cfg = o.config;
  const sets = featureSetDirs(o.featuresDir);
  if (o.chunk !== undefined) return runEncodeChunk(spec, o.chunk, { bids: o.bids, subject: sub, config: cfg, featuresDir: o.featuresDir, sets });
  const { encodeSubject, featureModels, prepareSubject } = await import('../encoding/study.js');
  const { writeEncodingOutputs } = await import('../encoding/study-outputs.js');
  const merged = o.merge !== undefined ? chunkFitsReader(spec, o.merge, o.featuresDir) : undefined;
  let summary = '';
  const res = await runStage(spec, ({ dir, key }) => {
    // Sidecars name the features by their place relative to this artifact, never by an absolute path, so two roots give equal bytes.
    const final = artifactDir(o.root, 'encode', key);
    for (const set of sets) checkFiniteFeatures(set);
    // One features artifact may hold several model folders (e.g. one per checkpoint): the subject is read once.
    const rng = new Rng(o.seed, `encode/sub-${sub}`);
    const prepared = prepareSubject(o.bids, sub, cfg, rng);
    checkDelays(cfg.delays, Math.min(...[...prepared.data.train, ...prepared.data.test].map((r) => r.nVols)));
    const parts: string[] = [];
    for (const set of sets) {
      for (const model of featureModels(set)) {
        const result = encodeSubject(set, o.bids, sub, cfg, rng, { model, prepared, ...(merged ? { fits: merged(set, model) } : {}) });
        const checkpoint = featureSetCheckpoint(set, model);
        writeEncodingOutputs(dir, result, path.relative(final, set), checkpoint);
        const best = result.maps.find((m) => m.area === 'best');
        const name = `${model}${checkpoint && !model.includes('@') ? `@${checkpoint}` : ''}`;
        if (best) parts.push(`${name}: ${best.rois.map((r) => `${r.roi} ${fmt(r.medianR)}`).join(', ')}`);
      }
    }
    summary = parts.length ? `median r, best layer: ${parts.join('; ')}` : '';
  });
  return { ...res, scope: `sub-${sub}`, summary };
}
