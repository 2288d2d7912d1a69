/**
 * Config section of the encode stage (study-mode voxel-wise encoding):
 * design, preprocessing, ridge CV, ceilings and statistics.
 * pipelines/ban-bas.json and pipelines/alignment.json hold it under the key
 * "encode"; every field has a default, so `{}` is a complete config.
 */
import { z } from 'zod';
import { DEFAULT_FIR_DELAYS } from './delays.js';

/**
 * The ridge α grid of every stage unless its config says otherwise: 10⁻¹ … 10⁶,
 * log-spaced. α is chosen per target by cross-validation, and with the
 * eigendecomposition of the training Gram each further α costs one diagonal
 * shrinkage, not a refit, so one wide grid serves voxels and EEG alike.
 */
export const DEFAULT_ALPHAS: readonly number[] = [0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6];

const atlasSchema = z
  .object({
    dseg: z
      .string()
      .default('derivatives/atlas/tpl-synth_atlas-auditory_dseg.nii.gz')
      .describe(
        'ROI label image (integer labels), relative to the BIDS root unless absolute; {subject} is replaced by the subject label (atlases in each subject’s space)',
      ),
    labels: z
      .string()
      .default('derivatives/atlas/tpl-synth_atlas-auditory_dseg.tsv')
      .describe('labels TSV of the dseg image with columns index and name ({subject} as for dseg)'),
    mask: z
      .string()
      .default('derivatives/atlas/tpl-synth_desc-brain_mask.nii.gz')
      .describe('brain mask image (nonzero = brain), relative to the BIDS root unless absolute ({subject} as for dseg)'),
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
    voxels: z.enum(['brain', 'atlas']).default('brain').describe('which voxels to fit: all of the brain mask, or only voxels inside an atlas ROI'),
    response: z.enum(['fir', 'hrf']).default('fir').describe('FIR delays (one weight per delay) or a canonical double-gamma HRF regressor per feature'),
    delays: z
      .array(z.number().int().min(0))
      .min(1)
      .default([...DEFAULT_FIR_DELAYS])
      .describe('FIR delays in TRs (response = fir; default 1–6, 96% of the HRF positive lobe); applied within runs only'),
    alphas: z
      .array(z.number().positive())
      .min(1)
      .default([...DEFAULT_ALPHAS])
      .describe('ridge α grid (default 0.1–1e6); α is chosen per voxel by leave-one-run-out CV over the training runs'),
    selectBy: z.enum(['r2', 'r']).default('r2').describe('CV score that picks α per voxel and the iteration/layer per voxel'),
    highpassSec: z.number().positive().default(128).describe('DCT high-pass cutoff period in seconds (drift removal per run, SPM convention)'),
    linearDetrend: z.boolean().default(true).describe('also remove a linear trend from each run'),
    ceiling: z
      .enum(['pairwise', 'split-half'])
      .default('pairwise')
      .describe('voxel reliability: median pairwise test-run r stepped up to R runs (Kell/Tuckute) or split-half stepped up by Spearman–Brown'),
    nPerm: z.number().int().min(0).default(1000).describe('null draws of the test-run prediction for voxel and ROI p-values (0 = skip)'),
    nullScheme: z
      .enum(['phase', 'block'])
      .default('phase')
      .describe(
        'null of the permutation test: phase randomisation of the prediction (keeps its whole autocorrelation; calibrated) or reordering of blocks of blockSec (needs at least 8 blocks; mildly liberal)',
      ),
    blockSec: z
      .number()
      .positive()
      .default(12)
      .describe(
        'permutation block length in seconds (nullScheme block); the test runs must hold at least 8 blocks (the mini-study’s ~98-s test runs hold 8 at TR 1.5)',
      ),
    fdrQ: z.number().gt(0).lt(1).default(0.05).describe('Benjamini–Hochberg level across voxels'),
    areas: z.array(z.string()).optional().describe('model areas to encode (default: every area in the features artifact)'),
  })
  .strict();
export type EncodeConfig = z.output<typeof encodeConfigSchema>;

/** A study config file: only the `encode` section is checked here; other sections belong to other stages. */
export const encodeFileSchema = z.object({ encode: encodeConfigSchema.default(encodeConfigSchema.parse({})) }).loose();
