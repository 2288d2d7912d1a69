/**
 * A features artifact (one feature set, or one per checkpoint):
 *
 *   stimuli.tsv            stim_id, row_start, n_rows, duration: which rows are which clip
 *   features.json          the set: model, checkpoint, rate (Hz), rows, areas, source
 *   <model>/<area>/iter-<k>.npy   (Σ rows) × features, float32, with iter-<k>.json
 *
 * With every checkpoint (`features --checkpoint all`) each saved epoch gets a
 * folder `epoch-NNNN/` holding that layout, and the top level has
 * features.json (model, checkpoints, rate, source) and a copy of the first
 * folder's stimuli.tsv. Row k of a clip covers [k/rate, (k+1)/rate) s of it.
 * The row rate has one spelling, `rate`, in Hz (`rate_units` says so).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { firstNonFinite } from '../core/finite.js';
import { writeNpy } from '../io/npy.js';
import { tsvSidecarPath } from '../io/tsv.js';
import { readJsonFile, writeJsonFile } from './json.js';
import { readTable, table, writeTable } from './table.js';

const source = z.record(z.string(), z.unknown()).describe('where the features come from: train artifact key and checkpoint, or the baseline and its settings');

export const featureSetSchema = z
  .object({
    model: z.string().describe('model name: the folder holding its areas'),
    checkpoint: z.string().nullable().describe('checkpoint of the train artifact (null: a baseline)'),
    rate: z.number().positive().describe('rows per second, Hz'),
    rows: z.number().int().min(0).describe('rows of every matrix: the sum of n_rows in stimuli.tsv'),
    areas: z.array(z.string()).min(1).describe('area folders under <model>/'),
    source,
  })
  .strict();
export type FeatureSet = z.output<typeof featureSetSchema>;

export const featureSeriesSchema = z
  .object({
    model: z.string().describe('model name'),
    checkpoints: z.array(z.string()).min(1).describe('one feature set folder per saved epoch checkpoint'),
    rate: z.number().positive().describe('rows per second, Hz'),
    source,
  })
  .strict();
export type FeatureSeries = z.output<typeof featureSeriesSchema>;

export const pcaInfoSchema = z
  .object({
    components: z.number().int().positive(),
    requested: z.number().int().positive(),
    input_features: z.number().int().positive(),
    explained_variance: z.array(z.number()),
    fitted_on: z.string(),
    centred: z.literal(true),
    scaled: z.literal(false),
  })
  .strict();
export type PcaInfo = z.output<typeof pcaInfoSchema>;

export const featureSidecarSchema = z
  .object({
    model: z.string(),
    checkpoint: z.string().nullable(),
    area: z.string(),
    iteration: z.number().int().min(0),
    shape: z.tuple([z.number().int().min(0), z.number().int().positive()]),
    dtype: z.literal('float32'),
    axes: z.tuple([z.literal('row'), z.literal('feature')]),
    rate: z.number().positive().describe('rows per second'),
    rate_units: z.literal('Hz'),
    windowing: z.string().describe('how rows and features are formed'),
    units: z.string().describe('units of the values'),
    pca: pcaInfoSchema.nullable(),
    source,
  })
  .strict();
export type FeatureSidecar = z.output<typeof featureSidecarSchema>;

export interface ClipRows {
  stimId: string;
  rowStart: number;
  nRows: number;
  /** Clip duration, s. */
  duration: number;
}

/** One area × iteration matrix of a feature set, rows in clip order. */
export interface FeatureSpaceData {
  area: string;
  iteration: number;
  nFeatures: number;
  data: Float32Array;
  windowing: string;
  units: string;
  pca: PcaInfo | null;
}

export const clipRowsTable = table(
  { stim_id: 'text', row_start: 'int', n_rows: 'int', duration: 'real' },
  {
    stim_id: { Description: 'stimulus id (stimuli.tsv of the study)' },
    row_start: { Description: 'first row of this clip in every iter-<k>.npy' },
    n_rows: { Description: `rows of this clip: floor(duration × rate), at least 1; row k covers [k/rate, (k+1)/rate) s` },
    duration: { Description: 'clip duration', Units: 's' },
  },
);

export const featureSetFile = (dir: string): string => path.join(dir, 'features.json');
export const clipRowsFile = (dir: string): string => path.join(dir, 'stimuli.tsv');
export const featureSpaceFile = (dir: string, model: string, area: string, iteration: number): string => path.join(dir, model, area, `iter-${iteration}.npy`);

/** Row ranges of clips laid end to end in the given order. */
export function layoutRows(clips: { stimId: string; nRows: number; duration: number }[]): ClipRows[] {
  let start = 0;
  return clips.map((c) => {
    const r = { stimId: c.stimId, rowStart: start, nRows: c.nRows, duration: c.duration };
    start += c.nRows;
    return r;
  });
}

/**
 * Writes one feature set into `dir`: stimuli.tsv, features.json and each
 * space with its sidecar. A space holding a NaN or infinity is refused
 * (InputError naming the clip), so no such artifact is ever stamped: every r
 * downstream would be n/a.
 */
export function writeFeatureSet(dir: string, set: Omit<FeatureSet, 'rows'>, clips: ClipRows[], spaces: Iterable<FeatureSpaceData>): void {
  const rows = clips.reduce((s, c) => s + c.nRows, 0);
  writeTable(
    clipRowsFile(dir),
    clipRowsTable,
    clips.map((c) => ({ stim_id: c.stimId, row_start: c.rowStart, n_rows: c.nRows, duration: c.duration })),
  );
  writeJsonFile(featureSetFile(dir), featureSetSchema, { ...set, rows });
  for (const sp of spaces) {
    if (sp.data.length !== rows * sp.nFeatures)
      throw new Error(`${set.model}/${sp.area} iteration ${sp.iteration}: ${sp.data.length} values for ${rows} rows × ${sp.nFeatures} features`);
    const bad = firstNonFinite(sp.data);
    if (bad >= 0) {
      const row = Math.floor(bad / sp.nFeatures);
      const clip = clips.find((r) => row >= r.rowStart && row < r.rowStart + r.nRows);
      throw new InputError(
        clip ? `stimulus ${clip.stimId}` : 'stimuli',
        `${set.model}/${sp.area} iteration ${sp.iteration} gives ${sp.data[bad]} at row ${row}; the audio or the network's weights are not finite`,
      );
    }
    const file = featureSpaceFile(dir, set.model, sp.area, sp.iteration);
    writeNpy(file, sp.data, [rows, sp.nFeatures]);
    const sidecar: FeatureSidecar = {
      model: set.model,
      checkpoint: set.checkpoint,
      area: sp.area,
      iteration: sp.iteration,
      shape: [rows, sp.nFeatures],
      dtype: 'float32',
      axes: ['row', 'feature'],
      rate: set.rate,
      rate_units: 'Hz',
      windowing: sp.windowing,
      units: sp.units,
      pca: sp.pca,
      source: set.source,
    };
    writeJsonFile(file.replace(/\.npy$/, '.json'), featureSidecarSchema, sidecar);
  }
}

/** The top level of a per-checkpoint artifact: features.json and the clip rows every checkpoint folder shares. */
export function writeFeatureSeries(dir: string, series: FeatureSeries): void {
  writeJsonFile(featureSetFile(dir), featureSeriesSchema, series);
  const first = clipRowsFile(path.join(dir, series.checkpoints[0]));
  fs.copyFileSync(first, clipRowsFile(dir));
  fs.copyFileSync(tsvSidecarPath(first), tsvSidecarPath(clipRowsFile(dir)));
}

export function readFeatureSet(dir: string): FeatureSet {
  return readJsonFile(featureSetFile(dir), featureSetSchema);
}

export function readFeatureSeries(dir: string): FeatureSeries {
  return readJsonFile(featureSetFile(dir), featureSeriesSchema);
}

/** features.json of a folder: one feature set, or the top level of a per-checkpoint series. */
export function readFeaturesIndex(dir: string): FeatureSet | FeatureSeries {
  return readJsonFile(featureSetFile(dir), z.union([featureSetSchema, featureSeriesSchema]));
}

export function readFeatureSidecar(dir: string, model: string, area: string, iteration: number): FeatureSidecar {
  return readFeatureSidecarFile(featureSpaceFile(dir, model, area, iteration).replace(/\.npy$/, '.json'));
}

/** The sidecar `<model>/<area>/iter-<k>.json` at its path. */
export function readFeatureSidecarFile(file: string): FeatureSidecar {
  return readJsonFile(file, featureSidecarSchema);
}

export function readClipRows(dir: string): ClipRows[] {
  const t = readTable(clipRowsFile(dir), clipRowsTable);
  return t.rows.map((r) => {
    const c = { stimId: r.stim_id, rowStart: r.row_start, nRows: r.n_rows, duration: r.duration };
    if (c.rowStart < 0 || c.nRows < 0) throw new InputError(t.file, `clip ${c.stimId}: row_start and n_rows must not be negative`);
    return c;
  });
}

export interface FeaturesArtifact {
  dir: string;
  /** features.json: one feature set, or the top level of a per-checkpoint series. */
  index(): FeatureSet | FeatureSeries;
  clipRows(): ClipRows[];
  sidecar(model: string, area: string, iteration: number): FeatureSidecar;
  /** The feature set folder of one checkpoint of a series (the folder itself for a single set). */
  set(checkpoint?: string): FeaturesArtifact;
}

/** Opens a features artifact (or one checkpoint folder of it); nothing is read until asked for. */
export function openFeaturesArtifact(dir: string): FeaturesArtifact {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(dir, 'no such features artifact folder');
  let index: FeatureSet | FeatureSeries | null = null;
  let clips: ClipRows[] | null = null;
  const art: FeaturesArtifact = {
    dir,
    index: () => (index ??= readFeaturesIndex(dir)),
    clipRows: () => (clips ??= readClipRows(dir)),
    sidecar: (model, area, iteration) => readFeatureSidecar(dir, model, area, iteration),
    set(checkpoint) {
      const ix = art.index();
      if (!('checkpoints' in ix)) return art;
      if (checkpoint === undefined || !ix.checkpoints.includes(checkpoint))
        throw new InputError('checkpoint', `${dir} holds checkpoints ${ix.checkpoints.join(', ')}, not ${checkpoint ?? 'one unnamed'}`);
      return openFeaturesArtifact(path.join(dir, checkpoint));
    },
  };
  return art;
}

/**
 * The feature sets inside a features artifact: the artifact itself, or, for
 * `features --checkpoint all`, one complete set per saved checkpoint
 * (`epoch-NNNN/`), so alignment can be followed over training.
 */
export function featureSetDirs(dir: string): string[] {
  const subs = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(clipRowsFile(path.join(dir, d.name))))
    .map((d) => path.join(dir, d.name))
    .sort();
  return subs.length > 0 ? subs : [dir];
}

/**
 * The checkpoint a model folder's features were computed from: the part after
 * '@' in the folder name (e.g. `ban@epoch-003`), else features.json's `checkpoint`.
 */
export function featureSetCheckpoint(dir: string, model: string): string | null {
  const at = model.indexOf('@');
  if (at > 0) return model.slice(at + 1);
  if (!fs.existsSync(featureSetFile(dir))) return null;
  const index = readFeaturesIndex(dir);
  return 'checkpoint' in index ? index.checkpoint : null;
}

/** Every `<model>/<area>/iter-<k>` space under a features folder (relative, without .npy), sorted. */
export function featureSpaceNames(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^iter-\d+\.npy$/.test(e.name)) out.push(path.relative(dir, p).replace(/\.npy$/, ''));
    }
  };
  walk(dir);
  return out.sort();
}
