/**
 * The encode artifact (study-mode voxel-wise encoding of one subject and one
 * model), all under `sub-XX/func/` so it publishes into the BIDS derivatives
 * tree without clashes:
 *
 * - `sub-XX_task-T_desc-<desc>_{r,rnorm,alpha}.nii.gz` (+ .json): per-voxel maps;
 *   `_noiseceiling` and `_dseg` (+ labels .tsv) maps beside them;
 * - `sub-XX_desc-<model>_roi.tsv`: area × iteration × ROI medians (roiTable);
 * - `sub-XX_task-T_desc-<model><Name>.npy` (+ .json): the matrices align reads;
 * - `sub-XX_task-T_desc-<model>_encoding.json`: the index (encodingIndexSchema)
 *   naming every matrix, map and the ROI table.
 *
 * encoding/study-outputs.ts writes it through the writers here; align and the
 * report open it with openEncode, which reads a matrix only when asked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { writeNifti, type NiftiWriteInput } from '../io/nifti.js';
import { readNpy, writeNpy } from '../io/npy.js';
import { writeTsv } from '../io/tsv.js';
import { readJsonFile, writeJsonFile } from './json.js';
import { readTable, table, writeTable, type Row } from './table.js';

/** Matrices of one encoding, by the name its index lists them under. */
export const ENCODE_MATRICES = [
  'R_voxels',
  'Rnorm_voxels',
  'Reliability_voxels',
  'Roi_voxels',
  'Grid_voxels',
  'Testmean_bold',
  'Pred_roivoxels',
  'Roivoxel_index',
] as const;
export type EncodeMatrix = (typeof ENCODE_MATRICES)[number];

export const encodingIndexSchema = z
  .object({
    subject: z.string().describe('subject label without sub-'),
    task: z.string().describe('BIDS task of the test runs: the maps are sub-XX_task-<task>_desc-<desc>_<stat>.nii.gz'),
    model: z.string(),
    checkpoint: z.string().nullable(),
    featuresDir: z.string().describe('the features artifact, relative to this encode artifact folder'),
    tr: z.number().positive(),
    areas: z.array(z.string()),
    rois: z.array(z.string()),
    nVoxels: z.number().int().min(0),
    maps: z.array(z.object({ desc: z.string(), label: z.string(), area: z.string(), iteration: z.number().int().nullable(), row: z.number().int() }).strict()),
    clips: z.array(z.object({ stimId: z.string(), onset: z.number(), duration: z.number() }).strict()),
    files: z.object({ roi: z.string() }).catchall(z.string()).describe('relative paths: roi (the ROI table) and every matrix by name'),
    predAreas: z.array(z.string()).describe('areas (rows of Pred_roivoxels) whose CV-map test predictions are stored for the stimulus bootstrap of s_r'),
  })
  .strict();
export type EncodingIndex = z.output<typeof encodingIndexSchema>;

export const roiTable = table(
  {
    model: 'text',
    area: 'text',
    iteration: 'text',
    roi: 'text',
    n_voxels: 'int',
    n_undefined: 'int',
    median_r: 'num',
    median_r_norm: 'num',
    median_voxel_r_norm: 'num',
    ceiling: 'num',
    p_perm: 'num',
    n_fdr: 'num',
    frac_fdr: 'num',
  },
  {
    model: { Description: 'Model (features artifact folder)' },
    area: { Description: "Model area; 'best' = the best layer per voxel over all areas by training CV" },
    iteration: { Description: "Recurrent iteration, or 'cv' = iteration chosen per voxel by training-run CV (test runs unused)" },
    roi: { Description: 'Atlas ROI' },
    n_voxels: { Description: 'Fitted voxels in the ROI' },
    n_undefined: { Description: 'ROI voxels left out of the medians because their r or normalised r is undefined (constant series or undefined reliability)' },
    median_r: { Description: 'Median over the ROI voxels of the held-out Pearson r on the test-run mean', Units: 'unitless' },
    median_r_norm: { Description: 'median_r / ceiling (the BAS definition, docs/bas.md)', Units: 'unitless' },
    median_voxel_r_norm: {
      Description: 'Median over voxels of r / sqrt(max(reliability, 0.182)) (floored voxel correlation ceiling, docs/ceilings.md)',
      Units: 'unitless',
    },
    ceiling: { Description: 'ROI correlation ceiling: sqrt(median voxel reliability of the test-run mean)', Units: 'unitless' },
    p_perm: { Description: 'Permutation p of median_r' },
    n_fdr: { Description: 'Voxels with Benjamini-Hochberg q at or below the configured level' },
    frac_fdr: { Description: 'n_fdr / n_voxels' },
  },
);
export type RoiRow = Row<typeof roiTable.columns>;

/** The sidecar of a map: a sentence, what it came from, and free-form facts (Units, Model, Area, …). */
export const mapSidecarSchema = z.object({ Description: z.string(), Sources: z.unknown(), Parameters: z.unknown(), Shape: z.array(z.number().int()) }).loose();
export const matrixSidecarSchema = z
  .object({ Description: z.string(), Shape: z.array(z.number().int()), Axes: z.array(z.string()), Sources: z.unknown() })
  .strict();

/** File names of one subject × model encoding inside the artifact folder (relative). */
export function encodeNames(
  subject: string,
  task: string,
  modelDesc: string,
): {
  /** `…_desc-<desc>`: a map is `<stem>_<stat>.nii.gz`. */
  stem(desc: string): string;
  map(desc: string, stat: string): string;
  roi: string;
  matrix(name: EncodeMatrix): string;
  index: string;
} {
  const sub = `sub-${subject}`;
  const func = path.join(sub, 'func');
  const stem = (desc: string): string => path.join(func, `${sub}_task-${task}_desc-${desc}`);
  return {
    stem,
    map: (desc, stat) => `${stem(desc)}_${stat}`,
    roi: path.join(func, `${sub}_desc-${modelDesc}_roi.tsv`),
    matrix: (name) => path.join(func, `${sub}_task-${task}_desc-${modelDesc}${name}.npy`),
    index: path.join(func, `${sub}_task-${task}_desc-${modelDesc}_encoding.json`),
  };
}

/** A map (`<stem>.nii.gz`) and its sidecar (`<stem>.json`); the header's description is the sidecar's, cut to NIfTI's 79 bytes. */
export function writeMap(stem: string, img: Omit<NiftiWriteInput, 'description'>, sidecar: z.input<typeof mapSidecarSchema>): void {
  writeNifti(`${stem}.nii.gz`, { ...img, description: sidecar.Description.slice(0, 79) });
  writeJsonFile(`${stem}.json`, mapSidecarSchema, sidecar);
}

/** A label map's index → name table, as BIDS dseg asks. */
export function writeDsegLabels(stem: string, names: string[]): void {
  writeTsv(
    `${stem}.tsv`,
    ['index', 'name'],
    names.map((name, i) => ({ index: i + 1, name })),
  );
}

export function writeRoiTable(file: string, rows: RoiRow[], describe: Partial<Record<keyof RoiRow, { Description: string }>>): void {
  writeTable(file, roiTable, rows, { describe });
}

export function writeMatrix(file: string, data: Float32Array | Int32Array, sidecar: z.input<typeof matrixSidecarSchema>): void {
  writeNpy(file, data, sidecar.Shape);
  writeJsonFile(file.replace(/\.npy$/, '.json'), matrixSidecarSchema, sidecar);
}

export function writeEncodingIndex(file: string, index: EncodingIndex): void {
  writeJsonFile(file, encodingIndexSchema, index);
}

/** One subject × model encoding of an opened encode artifact. */
export interface OpenedEncoding {
  /** The index file. */
  file: string;
  index: EncodingIndex;
  /** Rows of the ROI table. */
  roiRows(): RoiRow[];
  /** A matrix as float32 or int32 with its shape; an InputError when the index does not list it. */
  matrix(name: EncodeMatrix): { file: string; data: Float32Array | Int32Array; shape: number[] };
  has(name: EncodeMatrix): boolean;
  /** Absolute path of a map (`stat` r, rnorm or alpha) and its sidecar's description. */
  map(desc: string, stat: 'r' | 'rnorm' | 'alpha'): { file: string; description: string };
}

/** Every `sub-*\/func/*_encoding.json` of an encode artifact folder, in subject and file order. */
export function openEncode(dir: string): OpenedEncoding[] {
  const out: OpenedEncoding[] = [];
  const subs = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((d) => d.startsWith('sub-'))
        .sort()
    : [];
  for (const s of subs) {
    const func = path.join(dir, s, 'func');
    if (!fs.existsSync(func)) continue;
    for (const f of fs
      .readdirSync(func)
      .filter((x) => x.endsWith('_encoding.json'))
      .sort())
      out.push(openOne(dir, path.join(func, f)));
  }
  if (out.length === 0) throw new InputError(dir, 'no sub-*/func/*_encoding.json in this encode artifact');
  return out;
}

function openOne(dir: string, file: string): OpenedEncoding {
  const index = readJsonFile(file, encodingIndexSchema);
  const at = (name: string): string => {
    const rel = index.files[name];
    if (!rel) throw new InputError(file, `lists no "${name}" file`);
    return path.join(dir, rel);
  };
  return {
    file,
    index,
    roiRows: () => readTable(at('roi'), roiTable).rows,
    has: (name) => index.files[name] !== undefined,
    matrix: (name) => {
      const f = at(name);
      const a = readNpy(f);
      if (!(a.data instanceof Float32Array || a.data instanceof Int32Array)) throw new InputError(f, `expected float32 or int32, got ${a.dtype}`);
      return { file: f, data: a.data, shape: a.shape };
    },
    map: (desc, stat) => {
      const stem = path.join(dir, encodeNames(index.subject, index.task, '').map(desc, stat));
      return { file: `${stem}.nii.gz`, description: readJsonFile(`${stem}.json`, mapSidecarSchema).Description };
    },
  };
}
