/**
 * What a report shows, as one typed value per study. Loaders turn stage
 * artifacts into a ReportData; the renderer consumes only this, so figures
 * can be tested from fixtures without running any stage. Every section is
 * optional: an absent section renders as "not run".
 */
import { z } from 'zod';
import { identificationDetailSchema } from './data-eeg.js';

export const STUDIES = ['ban-bas', 'alignment', 'eeg-identification'] as const;
export type Study = (typeof STUDIES)[number];

const finite = z.number().refine(Number.isFinite, { message: 'expected a finite number' });
/** A value that may be missing (n/a in a TSV). */
const maybe = finite.nullable();

/** A point estimate with a confidence interval (same units as the estimate). */
export const estimateSchema = z.object({ estimate: finite, lo: maybe, hi: maybe });
export type EstimateCI = z.infer<typeof estimateSchema>;

/** One stage artifact the report read: where it came from and with which parameters. */
export const provenanceEntrySchema = z.object({
  stage: z.string(),
  key: z.string(),
  brainalign: z.string(),
  seed: z.number(),
  params: z.unknown(),
  path: z.string(),
});
export type ProvenanceEntry = z.infer<typeof provenanceEntrySchema>;

/** Training run of one network: learning curves, held-out confusion, per-class scores. */
export const trainingSchema = z.object({
  model: z.string(),
  epochs: z.array(z.object({ epoch: z.number().int(), train_loss: maybe, train_acc: maybe, val_loss: maybe, val_acc: maybe })),
  bestEpoch: z.number().int().nullable(),
  classes: z.array(z.string()),
  /** Counts, [true][predicted], test windows (or clips, as `unit` says). */
  confusion: z.array(z.array(z.number().nonnegative())).nullable(),
  confusionUnit: z.string(),
  perClass: z.array(z.object({ genre: z.string(), precision: maybe, recall: maybe, support: z.number() })),
  /** Fractions in [0, 1]. */
  accuracy: maybe,
  clipAccuracy: maybe,
  chance: maybe,
  /** One-sided binomial p of the clip accuracy against chance, when the train stage reports it. */
  clipP: maybe,
});
export type TrainingSection = z.infer<typeof trainingSchema>;

/** Scores per (group, ROI): groups are model areas (or subjects), ROIs are brain regions. */
export const roiScoresSchema = z.object({
  /** What the score is, with units, e.g. "ceiling-normalised median r". */
  measure: z.string(),
  /** `subjects`: the per-subject scores `score` averages (empty when the score is not a mean over subjects). */
  rows: z.array(
    z.object({ group: z.string(), roi: z.string(), score: maybe, lo: maybe, hi: maybe, nVoxels: z.number().int().nullable(), subjects: z.array(finite) }),
  ),
});
export type RoiScores = z.infer<typeof roiScoresSchema>;

/** Area × ROI matrix (rows = model areas, columns = ROIs), row-major; null = not computed. */
export const areaRoiSchema = z
  .object({
    measure: z.string(),
    areas: z.array(z.string()).min(1),
    rois: z.array(z.string()).min(1),
    values: z.array(maybe),
    /** Area → ROI pairs of the hypothesis (outlined on the heat map). */
    pairs: z.array(z.object({ area: z.string(), roi: z.string() })),
  })
  .refine((m) => m.values.length === m.areas.length * m.rois.length, { message: 'values must hold areas × rois entries' });
export type AreaRoi = z.infer<typeof areaRoiSchema>;

/** BAS and its components, each with a bootstrap CI. */
export const basSchema = z.object({
  model: z.string(),
  sR: estimateSchema,
  /** null when not computed (e.g. the model's per-clip choices were not available). */
  sB: estimateSchema.nullable(),
  bas: estimateSchema.nullable(),
  /** CI level, e.g. 0.95. */
  level: z.number().gt(0).lt(1),
  pairs: z.array(z.object({ area: z.string(), roi: z.string(), score: maybe })),
  /** Correspondence contrast (mean paired cell − mean off-pair cell) and its permutation p. */
  correspondence: z.object({ index: maybe, p: maybe }).nullable(),
});
export type BasSection = z.infer<typeof basSchema>;

/** Alignment against held-out task performance, one point per model or checkpoint. */
export const alignmentSchema = z.object({
  xLabel: z.string(),
  yLabel: z.string(),
  /** A second alignment measure per point (e.g. RSA), with its axis title; null when absent. */
  y2Label: z.string().nullable(),
  /** `final`: the point stands for its model across models (its trained model or last checkpoint); other points are earlier checkpoints. */
  points: z.array(
    z.object({
      label: z.string(),
      group: z.string(),
      x: finite,
      y: finite,
      ylo: maybe,
      yhi: maybe,
      y2: maybe,
      epoch: z.number().int().nullable(),
      final: z.boolean(),
    }),
  ),
  /** Rank correlations as the align stage reports them: across distinct models (bootstrap CI over models) and within each model over its checkpoints. */
  summary: z.array(
    z.object({
      scope: z.enum(['across-models', 'within-model']),
      model: z.string().nullable(),
      measure: z.string(),
      spearman: maybe,
      lo: maybe,
      hi: maybe,
      n: z.number().int().nullable(),
    }),
  ),
  /** s_r(a) − s_r(b) between final models with the align stage's paired bootstrap CI (`s_r_differences.tsv`). */
  srDifferences: z.array(z.object({ a: z.string(), b: z.string(), difference: maybe, lo: maybe, hi: maybe })).optional(),
});
export type AlignmentSection = z.infer<typeof alignmentSchema>;

/** EEG identification accuracy against window length, per decoder, split and subject ('all' = pooled). */
export const identificationSchema = z.object({
  /** Fraction of segments identified correctly at chance (1 / number of candidates). */
  chance: z.number().gt(0).lt(1),
  nCandidates: z.number().int().positive().nullable(),
  /** `window` is in seconds; accuracy, lo, hi are fractions. */
  rows: z.array(
    z.object({
      decoder: z.string(),
      split: z.string(),
      subject: z.string(),
      window: z.number().positive(),
      accuracy: finite,
      lo: maybe,
      hi: maybe,
      n: z.number().int().nullable(),
    }),
  ),
  /** Song confusion counts [true][predicted] per decoder and split, summed over subjects. */
  confusions: z.array(z.object({ decoder: z.string(), split: z.string(), songs: z.array(z.string()), counts: z.array(z.array(z.number().nonnegative())) })),
});
export type IdentificationSection = z.infer<typeof identificationSchema>;

/** One interactive brain map: a voxel score volume over a background, both gzipped NIfTI in base64. */
export const brainMapSchema = z.object({
  title: z.string(),
  subject: z.string(),
  /** Name of the map file (NiiVue picks the reader from the extension). */
  mapName: z.string(),
  mapBase64: z.string().min(1),
  backgroundName: z.string().nullable(),
  backgroundBase64: z.string().nullable(),
  /** What the background is, e.g. "mean EPI". */
  backgroundKind: z.string().nullable(),
  /** Display window of the map (its units, e.g. Pearson r). */
  calMin: finite,
  calMax: finite,
  units: z.string(),
});
export type BrainMap = z.infer<typeof brainMapSchema>;

/** Everything one study page shows. There is no generation date on purpose: same inputs ⇒ same bytes. */
export const reportDataSchema = z.object({
  study: z.enum(STUDIES),
  title: z.string(),
  brainalign: z.string(),
  seed: z.number().int(),
  training: z.array(trainingSchema),
  roiScores: roiScoresSchema.nullable(),
  areaRoi: areaRoiSchema.nullable(),
  bas: z.array(basSchema),
  alignment: alignmentSchema.nullable(),
  identification: identificationSchema.nullable(),
  /** Per-listener and per-song accuracy and confusions at every length (EEG study; data-eeg.ts). */
  identificationDetail: identificationDetailSchema.nullable(),
  brainMaps: z.array(brainMapSchema),
  /** Parameters of the methods paragraph, by stage (from provenance). */
  provenance: z.array(provenanceEntrySchema),
  /** Lines the reader should see (e.g. PNGs skipped). */
  notices: z.array(z.string()),
});
export type ReportData = z.infer<typeof reportDataSchema>;

/** Empty sections for a study; loaders fill what they find. */
export function emptyReport(study: Study, version: string, seed: number): ReportData {
  const titles: Record<Study, string> = {
    'ban-bas': 'Study 1 — BAN and the Brain-like Auditory Score',
    alignment: 'Study 2 — Alignment of auditory networks with the brain',
    'eeg-identification': 'Study 3 — Music identification from EEG',
  };
  return {
    study,
    title: titles[study],
    brainalign: version,
    seed,
    training: [],
    roiScores: null,
    areaRoi: null,
    bas: [],
    alignment: null,
    identification: null,
    identificationDetail: null,
    brainMaps: [],
    provenance: [],
    notices: [],
  };
}
