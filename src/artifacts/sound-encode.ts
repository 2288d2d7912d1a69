/**
 * The encode-sounds artifact (one features artifact's models against a
 * natural-sounds dataset): encoding.tsv (one row per model × participant or
 * component), layers.tsv (which layer the inner folds chose), rsa.tsv
 * (cross-validated layer RSA with its ceilings) and
 * voxelwise/<model>_<participant>.tsv, each with its sidecar. Scores are
 * stored to 6 decimals, a non-finite one as n/a.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readTable, table, writeTable, type Row, type TableSpec, type Columns } from './table.js';

const MODEL = { Description: 'model folder of the features artifact' };

export const soundEncodingTable = table(
  { model: 'text', target: 'text', kind: 'text', n: 'int', median_r: 'num', median_r2: 'num', median_reliability: 'num', top_layer: 'optText' },
  {
    model: MODEL,
    target: { Description: 'participant (sub-XX) or component name' },
    kind: { Description: 'voxels: a participant’s voxels; component: one NH2015 component' },
    n: { Description: 'targets summarised (voxels, or 1 for a component)' },
    median_r: { Description: 'median over targets of the outer-fold mean held-out Pearson r (nested 5-fold ridge with layer choice)' },
    median_r2: {
      Description: 'voxels: median of the noise-corrected r² averaged over outer folds (voxelwise/*.tsv r2_corrected); component: max(r,0)² (no ceiling)',
    },
    median_reliability: { Description: 'median Spearman–Brown reliability ρ of the scan mean (median pairwise scan r); n/a for components' },
    top_layer: { Description: 'layer (area/iter-k) most targets chose in the inner folds' },
  },
);

export const soundLayersTable = table(
  { model: 'text', target: 'text', layer: 'text', share: 'num' },
  {
    model: MODEL,
    target: { Description: 'participant or component' },
    layer: { Description: 'area/iter-k of the model' },
    share: { Description: 'fraction of the targets whose most often chosen layer (over outer folds) is this one' },
  },
);

export const soundRsaTable = table(
  { model: 'text', target: 'text', rsa: 'num', rsa_sd: 'num', ceiling_lower: 'num', ceiling_upper: 'num', top_layer: 'optText' },
  {
    model: MODEL,
    target: { Description: 'participant' },
    rsa: {
      Description:
        'Spearman between the participant’s voxel RDM and the cross-validated model RDM (layer chosen per stimulus-fold block; 1 − Pearson over z-scored columns)',
    },
    rsa_sd: { Description: 'SD of the score over random fold assignments (not a CI)' },
    ceiling_lower: { Description: 'Spearman of this participant’s RDM with the mean of the others (n/a with one participant)' },
    ceiling_upper: { Description: 'Spearman of this participant’s RDM with the mean of all' },
    top_layer: { Description: 'layer that supplied most cells of the assembled RDM' },
  },
);

export const soundVoxelTable = table(
  { voxel_id: 'text', r: 'num', r2_corrected: 'num', reliability: 'num', prediction_reliability: 'num', layer: 'optText' },
  {
    voxel_id: { Description: 'voxel_id of the published voxel table' },
    r: { Description: 'held-out Pearson r, mean over outer folds' },
    r2_corrected: {
      Description: 'mean over outer folds of max(r,0)²/(max(ρ, floor)·max(ρ̂, floor)) (correction tuckute) or max(r,0)²/max(ρ, floor) (voxel)',
    },
    reliability: { Description: 'Spearman–Brown reliability ρ of the scan mean' },
    prediction_reliability: {
      Description: 'mean over outer folds of ρ̂: the same statistic over predictions refit on single scans (n/a with correction voxel)',
    },
    layer: { Description: 'layer chosen most often by the inner folds' },
  },
);

export type SoundEncodingRow = Row<typeof soundEncodingTable.columns>;
export type SoundLayerRow = Row<typeof soundLayersTable.columns>;
export type SoundRsaRow = Row<typeof soundRsaTable.columns>;
export type SoundVoxelRow = Row<typeof soundVoxelTable.columns>;

export interface SoundEncodingArtifact {
  encoding: SoundEncodingRow[];
  layers: SoundLayerRow[];
  rsa: SoundRsaRow[];
  /** One table per model and participant, named `<model>_<participant>`. */
  voxelwise: { name: string; rows: SoundVoxelRow[] }[];
}

const FILES = { encoding: 'encoding.tsv', layers: 'layers.tsv', rsa: 'rsa.tsv' } as const;

export function writeSoundEncoding(dir: string, a: SoundEncodingArtifact): void {
  writeTable(path.join(dir, FILES.encoding), soundEncodingTable, a.encoding, { digits: 6 });
  writeTable(path.join(dir, FILES.layers), soundLayersTable, a.layers, { digits: 6 });
  writeTable(path.join(dir, FILES.rsa), soundRsaTable, a.rsa, { digits: 6 });
  for (const v of a.voxelwise) writeTable(path.join(dir, 'voxelwise', `${v.name}.tsv`), soundVoxelTable, v.rows, { digits: 6 });
}

function readPart<C extends Columns>(dir: string, file: string, spec: TableSpec<C>): Row<C>[] {
  const f = path.join(dir, file);
  if (!fs.existsSync(f)) throw new InputError(dir, `no ${file}: not an encode-sounds artifact`);
  return readTable(f, spec).rows;
}

/** The three summary tables of an encode-sounds artifact (the voxelwise tables are read by whoever needs one). */
export function readSoundEncoding(dir: string): Omit<SoundEncodingArtifact, 'voxelwise'> {
  return {
    encoding: readPart(dir, FILES.encoding, soundEncodingTable),
    layers: readPart(dir, FILES.layers, soundLayersTable),
    rsa: readPart(dir, FILES.rsa, soundRsaTable),
  };
}
