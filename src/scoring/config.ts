/**
 * Config sections of the fMRI stages: `encode` (study-mode voxel-wise
 * encoding) and `align` (BAS, area × ROI correspondence, alignment across
 * models). pipelines/ban-bas.json and pipelines/alignment.json hold them under
 * the keys "encode" and "align"; every field has a default, so `{}` is a
 * complete config.
 */
import { z } from 'zod';
import { BasConfigSchema } from './bas.js';
import { DEFAULT_FIR_DELAYS } from '../encoding/delays.js';

const atlasSchema = z
  .object({
    dseg: z.string().default('derivatives/atlas/tpl-synth_atlas-auditory_dseg.nii.gz').describe('ROI label image (integer labels), relative to the BIDS root unless absolute; {subject} is replaced by the subject label (atlases in each subject’s space)'),
    labels: z.string().default('derivatives/atlas/tpl-synth_atlas-auditory_dseg.tsv').describe('labels TSV of the dseg image with columns index and name ({subject} as for dseg)'),
    mask: z.string().default('derivatives/atlas/tpl-synth_desc-brain_mask.nii.gz').describe('brain mask image (nonzero = brain), relative to the BIDS root unless absolute ({subject} as for dseg)'),
  })
  .strict();

/** An atlas path for one subject: `{subject}` replaced by its label (e.g. 001), so real data can give one parcellation per subject space. */
export function atlasPathFor(p: string, subject: string): string {
  return p.replaceAll('{subject}', subject.replace(/^sub-/, ''));
}

/** The `encode` section: design, preprocessing, ridge CV, ceilings and statistics of study-mode encoding. */
export const encodeConfigSchema = z
  .object({
    trainTask: z.string().default('train').describe('BIDS task label of the training runs (each a group of leave-one-run-out CV)'),
    testTask: z.string().default('test').describe('BIDS task label of the repeated test runs (same sequence every run; averaged)'),
    atlas: atlasSchema.default(atlasSchema.parse({})).describe('atlas, labels and brain mask'),
    voxels: z.enum(['brain', 'atlas']).default('brain').describe("which voxels to fit: all of the brain mask, or only voxels inside an atlas ROI"),
    response: z.enum(['fir', 'hrf']).default('fir').describe('FIR delays (one weight per delay) or a canonical double-gamma HRF regressor per feature'),
    delays: z.array(z.number().int().min(0)).min(1).default([...DEFAULT_FIR_DELAYS]).describe('FIR delays in TRs (response = fir; default 1–6, 96% of the HRF positive lobe); applied within runs only'),
    alphas: z.array(z.number().positive()).min(1).default([0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6]).describe('ridge α grid; α is chosen per voxel by leave-one-run-out CV over the training runs'),
    selectBy: z.enum(['r2', 'r']).default('r2').describe('CV score that picks α per voxel and the iteration/layer per voxel'),
    highpassSec: z.number().positive().default(128).describe('DCT high-pass cutoff period in seconds (drift removal per run, SPM convention)'),
    linearDetrend: z.boolean().default(true).describe('also remove a linear trend from each run'),
    ceiling: z.enum(['pairwise', 'split-half']).default('pairwise').describe('voxel reliability: median pairwise test-run r stepped up to R runs (Kell/Tuckute) or split-half stepped up by Spearman–Brown'),
    nPerm: z.number().int().min(0).default(1000).describe('null draws of the test-run prediction for voxel and ROI p-values (0 = skip)'),
    nullScheme: z.enum(['phase', 'block']).default('phase').describe('null of the permutation test: phase randomisation of the prediction (keeps its whole autocorrelation; calibrated) or reordering of blocks of blockSec (needs at least 8 blocks; mildly liberal)'),
    blockSec: z.number().positive().default(12).describe('permutation block length in seconds (nullScheme block); the test runs must hold at least 8 blocks (the mini-study’s ~98-s test runs hold 8 at TR 1.5)'),
    fdrQ: z.number().gt(0).lt(1).default(0.05).describe('Benjamini–Hochberg level across voxels'),
    areas: z.array(z.string()).optional().describe('model areas to encode (default: every area in the features artifact)'),
  })
  .strict();
export type EncodeConfig = z.output<typeof encodeConfigSchema>;

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
    folds: z.number().int().min(3).default(5).describe('stimulus folds of the cross-validated layer choice: the cells between folds a and b take the layer chosen on the stimuli outside a and b'),
    repeats: z.number().int().min(1).default(10).describe('random fold assignments averaged'),
    response: z.enum(['glm', 'window']).default('glm').describe('clip response pattern: glm = least-squares β of one canonical-HRF regressor per test clip fitted jointly to the test-mean BOLD (separates the overlapping responses of consecutive clips); window = mean BOLD over windowSec'),
    windowSec: z.tuple([z.number(), z.number()]).default([4, 2]).describe('response = window only: mean BOLD from onset + first to offset + second seconds (HRF lag)'),
    nPerm: z.number().int().min(0).default(0).describe('test-clip label permutations of the brain RDMs (one per draw for all subjects, layer choice cross-validated again) for a per-ROI p-value; 0 = none (each permutation costs as much as the score)'),
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
    alignmentRois: z.array(z.string()).default(['A1', 'Belt', 'Parabelt', 'T2/T3']).describe('ROIs whose ceiling-normalised r is averaged into a model’s alignment score'),
    performance: z
      .literal('clip_accuracy')
      .default('clip_accuracy')
      .describe('task performance of the final model and of every checkpoint: the same held-out measure, accuracy over the test-split clips (clip choice = argmax of the mean window logits)'),
    nBoot: z.number().int().min(10).default(1000).describe('bootstrap resamples (over distinct models) of the across-model alignment–performance Spearman correlation'),
    level: z.number().gt(0).lt(1).default(0.95).describe('confidence level of bootstrap intervals'),
    rsa: rsaSchema.default(rsaSchema.parse({})).describe('representational similarity analysis over test clips'),
  })
  .strict();
export type AlignConfig = z.output<typeof alignConfigSchema>;

/** A study config file: only the sections these stages read are checked; other sections belong to other stages. */
export const encodeFileSchema = z.object({ encode: encodeConfigSchema.default(encodeConfigSchema.parse({})) }).loose();
export const alignFileSchema = z.object({ align: alignConfigSchema.default(alignConfigSchema.parse({})) }).loose();
