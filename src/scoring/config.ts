/**
 * Config section of the align stage: BAS, area × ROI correspondence, RSA and
 * alignment across models. pipelines/ban-bas.json and pipelines/alignment.json
 * hold it under the key "align" (the "encode" section is encoding/config.ts);
 * every field has a default, so `{}` is a complete config.
 */
import { z } from 'zod';
import { BasConfigSchema } from './bas.js';

/** BAS pairs named by the areas the features artifact uses (model area → atlas ROI). */
export const DEFAULT_ALIGN_PAIRS = [
  { area: 'a1', roi: 'A1' },
  { area: 'belt', roi: 'Belt' },
  { area: 'pb', roi: 'Parabelt' },
  { area: 't', roi: 'T2/T3' },
];

const rsaSchema = z
  .object({
    metric: z.enum(['correlation', 'euclidean']).default('correlation').describe('RDM dissimilarity over test clips'),
    comparison: z.enum(['spearman', 'kendall-tau-a', 'pearson']).default('spearman').describe('how model and brain RDMs are compared'),
    zscore: z.boolean().default(true).describe('z-score every feature and every voxel across the test clips before the RDM (braindnn, Tuckute et al. 2023)'),
    folds: z
      .number()
      .int()
      .min(3)
      .default(5)
      .describe('stimulus folds of the cross-validated layer choice: the cells between folds a and b take the layer chosen on the stimuli outside a and b'),
    repeats: z.number().int().min(1).default(10).describe('random fold assignments averaged'),
    response: z
      .enum(['glm', 'window'])
      .default('glm')
      .describe(
        'clip response pattern: glm = least-squares β of one canonical-HRF regressor per test clip fitted jointly to the test-mean BOLD (separates the overlapping responses of consecutive clips); window = mean BOLD over windowSec',
      ),
    windowSec: z
      .tuple([z.number(), z.number()])
      .default([4, 2])
      .describe('response = window only: mean BOLD from onset + first to offset + second seconds (HRF lag)'),
    nPerm: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'test-clip label permutations of the brain RDMs (one per draw for all subjects, layer choice cross-validated again) for a per-ROI p-value; 0 = none (each permutation costs as much as the score)',
      ),
  })
  .strict();

/** The `align` section: BAS and alignment-vs-performance analyses. */
export const alignConfigSchema = z
  .object({
    bas: BasConfigSchema.extend({
      pairs: z
        .array(z.object({ area: z.string().min(1), roi: z.string().min(1) }))
        .min(1)
        .default(DEFAULT_ALIGN_PAIRS.map((p) => ({ ...p })))
        .describe('model area → ROI pairs of s_r and of the correspondence index; area names are matched ignoring case and punctuation'),
    })
      .default(BasConfigSchema.parse({ pairs: DEFAULT_ALIGN_PAIRS }))
      .describe('BAS computation (see docs/bas.md)'),
    alignmentRois: z
      .array(z.string())
      .default(['A1', 'Belt', 'Parabelt', 'T2/T3'])
      .describe('ROIs whose ceiling-normalised r is averaged into a model’s alignment score'),
    performance: z
      .literal('clip_accuracy')
      .default('clip_accuracy')
      .describe(
        'task performance of the final model and of every checkpoint: the same held-out measure, accuracy over the test-split clips (clip choice = argmax of the mean window logits)',
      ),
    nBoot: z
      .number()
      .int()
      .min(10)
      .default(1000)
      .describe('bootstrap resamples (over distinct models) of the across-model alignment–performance Spearman correlation'),
    level: z.number().gt(0).lt(1).default(0.95).describe('confidence level of bootstrap intervals'),
    rsa: rsaSchema.default(rsaSchema.parse({})).describe('representational similarity analysis over test clips'),
  })
  .strict();
export type AlignConfig = z.output<typeof alignConfigSchema>;

/** A study config file: only the `align` section is checked here; other sections belong to other stages. */
export const alignFileSchema = z.object({ align: alignConfigSchema.default(alignConfigSchema.parse({})) }).loose();
