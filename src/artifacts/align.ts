/**
 * The align artifact: BAS per model and checkpoint (`bas.tsv`), the area ×
 * ROI matrix (`area_roi.tsv`), the correspondence test and per-pair scores
 * (`correspondence.json`), the model's genre choices (`model_choices.tsv`),
 * RSA per ROI (`rsa.tsv`), alignment against performance (`alignment.tsv`,
 * `alignment_vs_performance.tsv`, `alignment_by_checkpoint.tsv`) and a short
 * `summary.json`. The align stage writes it through writeAlign; the report
 * reads it with openAlign. Tables that a run does not produce are absent
 * (RSA off, one model only), and the opener returns null for them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { TsvColumnDescription } from '../io/tsv.js';
import { readJsonFile, writeJsonFile } from './json.js';
import { readTable, table, writeTable, type ReadTable, type Row } from './table.js';

const model = { Description: 'Model' };

export const basTable = table(
  { model: 'text', checkpoint: 'optText', score: 'text', estimate: 'num', ci_lo: 'num', ci_hi: 'num', se: 'num' },
  {
    model,
    checkpoint: { Description: 'Checkpoint (n/a = the trained model)' },
    score: { Description: 'Which score' },
    estimate: { Description: 'Score on the full data', Units: 'unitless' },
    ci_lo: { Description: 'Lower end of the percentile bootstrap interval' },
    ci_hi: { Description: 'Upper end of the percentile bootstrap interval' },
    se: { Description: 'Bootstrap standard error' },
  },
);
export type BasRow = Row<typeof basTable.columns>;
/** The three scores of bas.tsv's `score` column. */
export const BAS_SCORES = ['s_r', 's_b', 'bas'] as const;

export const areaRoiTable = table(
  { model: 'text', checkpoint: 'optText', area: 'text', roi: 'text', median_r: 'num', ceiling: 'num', r_norm: 'num' },
  {
    model,
    checkpoint: { Description: 'Checkpoint' },
    area: { Description: 'Model area (iteration chosen per voxel by training CV)' },
    roi: { Description: 'Atlas ROI' },
    median_r: { Description: 'Median held-out r over the ROI voxels of all subjects', Units: 'unitless' },
    ceiling: { Description: 'sqrt(median voxel reliability) of the ROI', Units: 'unitless' },
    r_norm: { Description: 'median_r / ceiling (unclipped)', Units: 'unitless' },
  },
);
export type AreaRoiRow = Row<typeof areaRoiTable.columns>;

export const modelChoicesTable = table(
  { model: 'text', checkpoint: 'optText', stim_id: 'text', predicted_genre: 'text' },
  {
    model,
    checkpoint: { Description: 'Checkpoint' },
    stim_id: { Description: 'Clip' },
    predicted_genre: { Description: 'The model’s genre choice entering s_b' },
  },
);

export const rsaTable = table(
  { model: 'text', checkpoint: 'optText', roi: 'text', rsa: 'num', p_perm: 'num', ceiling_lower: 'num', ceiling_upper: 'num', n_clips: 'int', n_cells: 'int' },
  {
    model,
    checkpoint: { Description: 'Checkpoint' },
    roi: { Description: 'Atlas ROI (every ROI of the encodings; a noise-only ROI shows the chance level)' },
    rsa: { Description: 'Mean over subjects of the similarity between the brain RDM and the cross-validated model RDM', Units: 'unitless' },
    p_perm: { Description: 'Permutation p of rsa: test-clip label permutations of the brain RDMs (n/a: align.rsa.nPerm = 0)' },
    ceiling_lower: { Description: 'Leave-one-subject-out RDM noise ceiling, lower bound, on the same cells as rsa (n/a: one subject)', Units: 'unitless' },
    ceiling_upper: { Description: 'RDM noise ceiling, upper bound (subject against the mean of all subjects)', Units: 'unitless' },
    n_clips: { Description: 'Test clips (RDM rows)' },
    n_cells: { Description: 'RDM cells entering both rsa and the ceiling: n_clips·(n_clips − 1)/2' },
  },
);

export const srDifferencesTable = table(
  { model_a: 'text', model_b: 'text', difference: 'num', ci_lo: 'num', ci_hi: 'num', se: 'num' },
  {
    model_a: { Description: 'First model (its final point: the trained model, else its last checkpoint; a baseline)' },
    model_b: { Description: 'Second model' },
    difference: { Description: 's_r(model_a) − s_r(model_b) on the full data', Units: 'unitless' },
    ci_lo: {
      Description:
        'Lower end of the paired percentile bootstrap interval: each draw resamples subjects and their test clips once and scores both models on them',
    },
    ci_hi: { Description: 'Upper end of the paired bootstrap interval' },
    se: { Description: 'Bootstrap standard error of the difference' },
  },
);
export type SrDifferenceRow = Row<typeof srDifferencesTable.columns>;

/** One row per model or checkpoint; one `r_norm_<roi>` column per alignment ROI follows the declared ones. */
export const alignmentTable = table(
  {
    model: 'text',
    checkpoint: 'optText',
    epoch: 'num',
    final: 'int',
    alignment: 'num',
    rsa: 'num',
    performance: 'num',
    n_test_clips: 'num',
  },
  {
    model,
    checkpoint: { Description: 'Checkpoint (n/a = the trained model)' },
    epoch: { Description: 'Training epoch of the checkpoint (n/a = the trained model)' },
    final: {
      Description: 'Whether this row stands for its model in the across-model correlation',
      Levels: { '1': 'the trained model, else its last saved checkpoint', '0': 'an earlier checkpoint (analysed within its model only)' },
    },
    alignment: {
      Description: 'Mean over the alignment ROIs of the ceiling-normalised median r of the best layer per voxel (training CV), all subjects pooled',
      Units: 'unitless',
    },
    rsa: { Description: 'Mean over the alignment ROIs and subjects of the cross-validated layer RSA (rsa.tsv)', Units: 'unitless' },
    performance: {
      Description:
        'Held-out clip accuracy: fraction of the train artifact’s test-split clips this checkpoint classifies correctly (clip = argmax of its mean window logits); for an ONNX model, the performance declared in onnx.models of the config',
      Units: 'fraction',
    },
    n_test_clips: { Description: 'Test-split clips the performance is over' },
  },
);
export type AlignmentRow = Row<typeof alignmentTable.columns>;

export const vsPerformanceTable = table(
  { scope: 'text', model: 'optText', measure: 'text', spearman: 'num', ci_lo: 'num', ci_hi: 'num', n: 'int' },
  {
    scope: {
      Description: 'What the points are',
      Levels: { 'across-models': 'one point per distinct model (final = 1 rows of alignment.tsv)', 'within-model': 'the epoch checkpoints of one model' },
    },
    model: { Description: 'The model (within-model rows)' },
    measure: { Description: 'Alignment measure', Levels: { encoding: 'alignment column of alignment.tsv', rsa: 'rsa column of alignment.tsv' } },
    spearman: { Description: 'Spearman correlation between alignment and held-out clip accuracy' },
    ci_lo: {
      Description: 'Lower end of the percentile bootstrap interval, distinct models resampled (n/a within a model: checkpoints are serially dependent)',
    },
    ci_hi: { Description: 'Upper end of the bootstrap interval' },
    n: { Description: 'Points with both numbers (models, or checkpoints of the model)' },
  },
);
export type VsPerformanceRow = Row<typeof vsPerformanceTable.columns>;

export const byCheckpointTable = table(
  { model: 'text', checkpoint: 'text', epoch: 'int', alignment: 'num', rsa: 'num', performance: 'num' },
  {
    model,
    checkpoint: { Description: 'Checkpoint name' },
    epoch: { Description: 'Training epoch of the checkpoint' },
    alignment: { Description: 'As in alignment.tsv', Units: 'unitless' },
    rsa: { Description: 'As in alignment.tsv', Units: 'unitless' },
    performance: { Description: 'Held-out clip accuracy of the checkpoint, as in alignment.tsv', Units: 'fraction' },
  },
);

const pair = z.object({ area: z.string(), roi: z.string() });
/** correspondence.json: one entry per model (or model@checkpoint) label. */
export const correspondenceSchema = z.record(
  z.string(),
  z
    .object({
      model: z.string(),
      checkpoint: z.string().nullable(),
      subjects: z.array(z.string()),
      pairs: z.array(pair).nullable(),
      correspondence: z
        .object({ contrast: z.number().nullable(), p: z.number().nullable() })
        .nullable()
        .describe('the correspondence test (further fields: docs/bas.md)'),
      pairScores: z.array(pair.extend({ score: z.number().nullable() })).nullable(),
      perSubject: z.unknown(),
      behaviour: z.unknown(),
    })
    .strict(),
);
export type CorrespondenceFile = z.input<typeof correspondenceSchema>;

export const alignSummarySchema = z
  .object({
    level: z.number().gt(0).lt(1).describe('confidence level of the BAS bootstrap intervals (ci_lo, ci_hi of bas.tsv)'),
    groups: z.array(z.object({ model: z.string(), checkpoint: z.string().nullable(), sR: z.number().nullable(), bas: z.unknown() }).strict()),
  })
  .strict();

type Describe<T extends { describe: object }> = T['describe'];

/** What one align run writes; optional tables are left out when absent. */
export interface AlignArtifact {
  bas: { rows: BasRow[]; describe: Describe<typeof basTable> };
  areaRoi: AreaRoiRow[];
  correspondence: CorrespondenceFile;
  modelChoices: Row<typeof modelChoicesTable.columns>[];
  rsa: { rows: Row<typeof rsaTable.columns>[]; describe: Describe<typeof rsaTable> } | null;
  /** Paired s_r differences between final models (empty: fewer than two, or different designs). */
  srDifferences: { rows: SrDifferenceRow[]; describe: Describe<typeof srDifferencesTable> };
  /** Present with two or more models or checkpoints. */
  alignment: {
    rows: (AlignmentRow & Record<string, number | string | null>)[];
    describe: Describe<typeof alignmentTable>;
    roiColumns: { columns: string[]; describe: Record<string, TsvColumnDescription> };
    vsPerformance: { rows: VsPerformanceRow[]; describe: Describe<typeof vsPerformanceTable> };
    byCheckpoint: Row<typeof byCheckpointTable.columns>[];
  } | null;
}

const F = {
  bas: 'bas.tsv',
  areaRoi: 'area_roi.tsv',
  correspondence: 'correspondence.json',
  modelChoices: 'model_choices.tsv',
  rsa: 'rsa.tsv',
  srDifferences: 's_r_differences.tsv',
  alignment: 'alignment.tsv',
  vsPerformance: 'alignment_vs_performance.tsv',
  byCheckpoint: 'alignment_by_checkpoint.tsv',
  summary: 'summary.json',
};

export function writeAlign(dir: string, a: AlignArtifact): void {
  writeTable(path.join(dir, F.bas), basTable, a.bas.rows, { describe: a.bas.describe });
  writeTable(path.join(dir, F.areaRoi), areaRoiTable, a.areaRoi);
  writeJsonFile(path.join(dir, F.correspondence), correspondenceSchema, a.correspondence);
  if (a.modelChoices.length) writeTable(path.join(dir, F.modelChoices), modelChoicesTable, a.modelChoices);
  if (a.rsa?.rows.length) writeTable(path.join(dir, F.rsa), rsaTable, a.rsa.rows, { describe: a.rsa.describe });
  if (a.srDifferences.rows.length)
    writeTable(path.join(dir, F.srDifferences), srDifferencesTable, a.srDifferences.rows, { describe: a.srDifferences.describe });
  if (!a.alignment) return;
  const al = a.alignment;
  writeTable(path.join(dir, F.alignment), alignmentTable, al.rows, { describe: al.describe, extra: al.roiColumns });
  writeTable(path.join(dir, F.vsPerformance), vsPerformanceTable, al.vsPerformance.rows, { describe: al.vsPerformance.describe });
  writeTable(path.join(dir, F.byCheckpoint), byCheckpointTable, al.byCheckpoint);
}

export function writeAlignSummary(dir: string, summary: z.input<typeof alignSummarySchema>): void {
  writeJsonFile(path.join(dir, F.summary), alignSummarySchema, summary);
}

/** An align artifact folder; each file is read when asked (null for a table the run did not write). */
export interface OpenedAlign {
  dir: string;
  bas(): ReadTable<typeof basTable.columns>;
  areaRoi(): ReadTable<typeof areaRoiTable.columns>;
  correspondence(): z.output<typeof correspondenceSchema>;
  summary(): z.output<typeof alignSummarySchema>;
  alignment(): ReadTable<typeof alignmentTable.columns> | null;
  vsPerformance(): ReadTable<typeof vsPerformanceTable.columns> | null;
  srDifferences(): ReadTable<typeof srDifferencesTable.columns> | null;
}

export function openAlign(dir: string): OpenedAlign {
  const at = (f: string): string => path.join(dir, f);
  const maybe = <T>(f: string, read: (file: string) => T): T | null => (fs.existsSync(at(f)) ? read(at(f)) : null);
  return {
    dir,
    bas: () => readTable(at(F.bas), basTable),
    areaRoi: () => readTable(at(F.areaRoi), areaRoiTable),
    correspondence: () => readJsonFile(at(F.correspondence), correspondenceSchema),
    summary: () => readJsonFile(at(F.summary), alignSummarySchema),
    alignment: () => maybe(F.alignment, (f) => readTable(f, alignmentTable)),
    vsPerformance: () => maybe(F.vsPerformance, (f) => readTable(f, vsPerformanceTable)),
    srDifferences: () => maybe(F.srDifferences, (f) => readTable(f, srDifferencesTable)),
  };
}
