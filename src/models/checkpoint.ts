/**
 * Checkpoints: a folder with `model.json` (config, metadata and a weight
 * manifest) and `weights.bin` (little-endian float32, manifest order). The
 * same weights give the same bytes, and loading restores outputs bit-exactly.
 * Optimizer state is not stored: checkpoints are for analysis (training
 * dynamics, activations), not for resuming.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from './backend.js';
import { AudioNet, parseModelConfig, type ModelConfig } from './ban.js';
import { writeFileAtomic, stableJson } from '../core/atomic.js';
import { InputError } from '../core/errors.js';

export const CHECKPOINT_FORMAT = 'brainalign-checkpoint';

export interface WeightEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into weights.bin. */
  offset: number;
  trainable: boolean;
}

export interface CheckpointMeta {
  /** Training epoch the weights are from (0 = untrained). */
  epoch?: number;
  seed?: number;
  [key: string]: unknown;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  config: ModelConfig;
  meta: CheckpointMeta;
  weights: WeightEntry[];
  totalFloats: number;
}

/** Write `model` to folder `dir` (replaced whole: written beside it, then renamed). */
export function saveCheckpoint(dir: string, model: AudioNet, meta: CheckpointMeta = {}): void {
  const entries: WeightEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [map, trainable] of [
    [model.params, true],
    [model.state, false],
  ] as const) {
    for (const [name, v] of map) {
      const data = v.dataSync() as Float32Array;
      entries.push({ name, shape: v.shape.slice(), offset, trainable });
      chunks.push(data);
      offset += data.length;
    }
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    config: model.config,
    meta,
    weights: entries,
    totalFloats: offset,
  };
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${path.basename(dir)}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  writeFileAtomic(path.join(tmp, 'weights.bin'), toLittleEndianBytes(all));
  writeFileAtomic(path.join(tmp, 'model.json'), stableJson(manifest));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

function toLittleEndianBytes(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setFloat32(i * 4, a[i], true);
  return out;
}

/** Read and check a checkpoint's manifest (no weights). */
export function readCheckpointManifest(dir: string): CheckpointManifest {
  const file = path.join(dir, 'model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, `cannot read checkpoint manifest: ${(e as Error).message}`);
  }
  const m = raw as Partial<CheckpointManifest>;
  if (m.format !== CHECKPOINT_FORMAT || m.version !== 1) throw new InputError(file, 'not a brainalign checkpoint (format/version)');
  if (!Array.isArray(m.weights) || typeof m.totalFloats !== 'number') throw new InputError(file, 'weight manifest missing');
  return { ...(m as CheckpointManifest), config: parseModelConfig(m.config, file) };
}

/** Load a checkpoint folder into a new model on the current backend. Returns the model and its metadata. */
export function readCheckpoint(dir: string): { model: AudioNet; meta: CheckpointMeta } {
  const manifest = readCheckpointManifest(dir);
  const binFile = path.join(dir, 'weights.bin');
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(binFile);
  } catch (e) {
    throw new InputError(binFile, `cannot read weights: ${(e as Error).message}`);
  }
  if (bytes.length !== manifest.totalFloats * 4) {
    throw new InputError(binFile, `has ${bytes.length} bytes, manifest says ${manifest.totalFloats * 4}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Seed is irrelevant: every variable is overwritten below.
  const model = new AudioNet(manifest.config, 0);
  const seen = new Set<string>();
  for (const e of manifest.weights) {
    const v = model.params.get(e.name) ?? model.state.get(e.name);
    if (!v) throw new InputError(binFile, `weight '${e.name}' does not belong to this architecture`);
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (size !== v.size || e.shape.join('x') !== v.shape.join('x')) {
      throw new InputError(binFile, `weight '${e.name}' has shape ${e.shape.join('×')}, model expects ${v.shape.join('×')}`);
    }
    if (e.offset < 0 || e.offset + size > manifest.totalFloats) throw new InputError(binFile, `weight '${e.name}' lies outside weights.bin`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = dv.getFloat32((e.offset + i) * 4, true);
    // tidy frees the temporary; the variable keeps its own reference.
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
    seen.add(e.name);
  }
  for (const name of [...model.params.keys(), ...model.state.keys()]) {
    if (!seen.has(name)) throw new InputError(binFile, `weight '${name}' missing from checkpoint`);
  }
  return { model, meta: manifest.meta };
}
