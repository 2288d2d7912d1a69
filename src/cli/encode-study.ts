/**
 * Study mode of `brainalign encode` (--features --bids --subject): one
 * subject's voxel-wise encoding of one model's features, as a cached stage
 * whose maps are published into the BIDS derivatives tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/prng.js';
import { artifactDir, resolveArtifact, runStage, type StageSpec } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { atlasPathFor, encodeFileSchema, type EncodeConfig } from '../encoding/config.js';
import { loadConfig } from './framework.js';
import { checkDelays } from './encode-checks.js';
import { featureSetFile, readFeaturesIndex } from '../artifacts/features.js';
import { readNpy } from '../io/npy.js';
import { firstNonFinite } from '../core/finite.js';

export interface EncodeStudyArgs {
  features: string;
  bids?: string;
  subject?: string;
  config?: string;
  out?: string;
  stamp?: string;
  seed: number;
  alphas?: string;
  delays?: string;
  /** `I/N`: fit only the I-th of N voxel chunks into an `encode-chunk` artifact (src/cli/encode-chunk.ts). */
  chunk?: string;
  /** Chunk stamps or folders whose fits replace the fitting; the encoding is otherwise the local one. */
  merge?: string[];
}

/** Bumped when the study-mode outputs change for the same inputs. */
const CODE_VERSION = 'encode-study-3';

export async function runEncodeStudy(a: EncodeStudyArgs, overrides: Partial<EncodeConfig>): Promise<void> {
  if (!a.bids) throw new InputError('--bids', 'study mode needs --bids STUDY (the BIDS dataset)');
  if (!a.subject) throw new InputError('--subject', 'study mode needs --subject LABEL (e.g. 01)');
  if (a.chunk !== undefined && a.merge !== undefined)
    throw new InputError('--chunk', 'give either --chunk (fit one voxel chunk) or --merge (assemble the chunks), not both');
  const chunk = a.chunk !== undefined ? (await import('./encode-chunk.js')).parseChunk(a.chunk) : undefined;
  const cfg: EncodeConfig = { ...loadConfig(a.config, encodeFileSchema).encode, ...overrides };
  const featuresDir = resolveArtifact(a.features, '--features');
  const sub = a.subject.replace(/^sub-/, '');
  const subDir = path.join(a.bids, `sub-${sub}`);
  if (!fs.existsSync(subDir)) throw new InputError(a.bids, `no sub-${sub} folder`);
  const resolveIn = (p: string): string => (path.isAbsolute(p) ? p : path.join(a.bids as string, p));
  const root = a.out ?? DEFAULT_ROOT;
  // Top-level sidecars (dataset_description, task-*_bold.json) reach the runs by BIDS inheritance.
  const topJson = Object.fromEntries(
    fs
      .readdirSync(a.bids)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => [`bids-${f}`, path.join(a.bids as string, f)]),
  );
  const spec: StageSpec = {
    stage: 'encode',
    codeVersion: CODE_VERSION,
    root,
    inputs: {
      features: featuresDir,
      func: path.join(subDir, 'func'),
      atlas: resolveIn(atlasPathFor(cfg.atlas.dseg, sub)),
      labels: resolveIn(atlasPathFor(cfg.atlas.labels, sub)),
      mask: resolveIn(atlasPathFor(cfg.atlas.mask, sub)),
      ...topJson,
    },
    params: { subject: sub, encode: cfg },
    seed: a.seed,
    stamp: a.stamp,
    publish: true,
  };
  if (chunk !== undefined) {
    const { runEncodeChunk } = await import('./encode-chunk.js');
    await runEncodeChunk(spec, chunk, { bids: a.bids, subject: sub, cfg, stores: featureStores(featuresDir), featuresDir });
    return;
  }
  const { encodeSubject, featureModels, prepareSubject } = await import('../encoding/study.js');
  const { writeEncodingOutputs } = await import('../encoding/study-outputs.js');
  const merged = a.merge !== undefined ? (await import('./encode-chunk.js')).chunkFitsReader(spec, a.merge, featuresDir) : undefined;
  let summary = '';
  const res = await runStage(spec, ({ dir, key }) => {
    // Sidecars name the features by their place relative to this artifact, never by an absolute path, so two roots give equal bytes.
    const final = artifactDir(root, 'encode', key);
    // One features artifact may hold several model folders (e.g. one per checkpoint): the subject is read once.
    const rng = new Rng(a.seed, `encode/sub-${sub}`);
    for (const store of featureStores(featuresDir)) checkFiniteFeatures(store);
    const prepared = prepareSubject(a.bids as string, sub, cfg, rng);
    checkDelays(cfg.delays, Math.min(...[...prepared.data.train, ...prepared.data.test].map((r) => r.nVols)));
    const parts: string[] = [];
    for (const store of featureStores(featuresDir)) {
      for (const model of featureModels(store)) {
        const result = encodeSubject(store, a.bids as string, sub, cfg, rng, { model, prepared, ...(merged ? { fits: merged(store, model) } : {}) });
        const checkpoint = checkpointOf(store, model);
        writeEncodingOutputs(dir, result, path.relative(final, store), checkpoint);
        const best = result.maps.find((m) => m.area === 'best');
        if (best)
          parts.push(
            `${model}${checkpoint && !model.includes('@') ? `@${checkpoint}` : ''}: ${best.rois.map((r) => `${r.roi} ${Number.isFinite(r.medianR) ? r.medianR.toFixed(3) : 'n/a'}`).join(', ')}`,
          );
      }
    }
    summary = parts.join('; ');
  });
  process.stdout.write(`encode: sub-${sub} ${res.upToDate ? 'up to date' : 'done'} (${res.key})${summary ? `; median r, best layer: ${summary}` : ''}\n`);
}

/** Every .npy of a feature store must be finite: one NaN column would make every r of the subject n/a. */
export function checkFiniteFeatures(store: string): void {
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.npy')) {
        const a = readNpy(p);
        if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) continue;
        const bad = firstNonFinite(a.data as ArrayLike<number>);
        if (bad >= 0) throw new InputError(p, `element ${bad} is ${String(a.data[bad])}; features must be finite`);
      }
    }
  };
  walk(store);
}

/**
 * The feature stores inside a features artifact: the artifact itself, or,
 * for `features --checkpoint all`, one complete store per saved checkpoint
 * (`epoch-NNNN/`), so alignment can be followed over training.
 */
export function featureStores(dir: string): string[] {
  const subs = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'stimuli.tsv')))
    .map((d) => path.join(dir, d.name))
    .sort();
  return subs.length > 0 ? subs : [dir];
}

/**
 * The checkpoint a model folder's features were computed from: the part after
 * '@' in the folder name (e.g. `ban@epoch-003`), else features.json's `checkpoint`.
 */
function checkpointOf(dir: string, model: string): string | null {
  const at = model.indexOf('@');
  if (at > 0) return model.slice(at + 1);
  if (!fs.existsSync(featureSetFile(dir))) return null;
  const index = readFeaturesIndex(dir);
  return 'checkpoint' in index ? index.checkpoint : null;
}
