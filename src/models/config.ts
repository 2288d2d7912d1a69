/**
 * Config sections of the model stages: `model` (architecture and log-mel
 * input), `train` (optimisation, split, checkpoints, backend) and `features`
 * (which checkpoint, output rate, reduction, PCA). pipelines/ban-bas.json and
 * pipelines/alignment.json hold them under these keys; every field has a
 * default, so `{}` is a complete config. Other sections of the same file
 * belong to other stages and pass through unchecked.
 */
import { z } from 'zod';
import type { ModelConfigInput } from './ban.js';
import { BAN_DEFAULTS } from './ban-defaults.js';
import { CHECKPOINT_CHOICE } from '../artifacts/checkpoints.js';
import type { LogMelOptions } from './features.js';

const areaSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .describe('area name; the features stage writes <model>/<name>/iter-<k>.npy and the align stage pairs it with an ROI'),
    width: z.number().int().positive().describe('output channels of the area'),
    times: z.number().int().positive().describe('recurrent iterations (BAN; shared conv weights, one batch norm per iteration); 1 = feed-forward'),
  })
  .strict();

const melSchema = z
  .object({
    sr: z.number().int().positive().default(22050).describe('sampling rate the clips must have, Hz (GTZAN: 22050)'),
    nFft: z.number().int().positive().default(1024).describe('FFT length of the log-mel, samples'),
    hop: z.number().int().positive().default(512).describe('hop of the log-mel, samples (frame rate sr/hop Hz)'),
  })
  .strict();

/** The `model` section: BAN architecture (see docs/ban.md) and its log-mel input. */
export const modelSectionSchema = z
  .object({
    nMels: z.number().int().positive().default(BAN_DEFAULTS.nMels).describe('mel bands of the input log-mel'),
    frames: z.number().int().positive().default(BAN_DEFAULTS.frames).describe('input window length in log-mel frames (96 × 512/22050 s ≈ 2.2 s)'),
    mel: melSchema.default(melSchema.parse({})).describe('log-mel settings (librosa conventions, dB re 1 with an 80 dB floor)'),
    a1Width: z.number().int().positive().default(BAN_DEFAULTS.a1Width).describe('channels of area A1 (two convs, stride 2 and a 3/2 max-pool)'),
    a1Kernel: z.number().int().positive().default(BAN_DEFAULTS.a1Kernel).describe('kernel size of the first A1 conv'),
    a1Kernel2: z.number().int().positive().default(BAN_DEFAULTS.a1Kernel2).describe('kernel size of the second A1 conv'),
    blockKernel: z.number().int().positive().default(BAN_DEFAULTS.blockKernel).describe('kernel size of the middle conv of each recurrent block'),
    scale: z.number().int().positive().default(BAN_DEFAULTS.scale).describe('bottleneck expansion of the recurrent blocks (CORnet-S uses 4)'),
    skip: z.boolean().default(BAN_DEFAULTS.skip).describe('skip connections in the recurrent blocks'),
    areas: z
      .array(areaSchema)
      .min(1)
      .default(() => BAN_DEFAULTS.areas.map((a) => ({ ...a })))
      .describe('areas after A1, in order; names must match the align stage pairs (a1, belt, pb, t)'),
    fcHidden: z
      .array(z.number().int().positive())
      .default(() => [...BAN_DEFAULTS.fcHidden])
      .describe('hidden layer sizes of the decoder after global average pooling'),
    bnMomentum: z.number().gt(0).lt(1).default(BAN_DEFAULTS.bnMomentum).describe('batch-norm running-statistics momentum (PyTorch convention)'),
    bnEpsilon: z.number().positive().default(BAN_DEFAULTS.bnEpsilon).describe('batch-norm epsilon'),
  })
  .strict();
export type ModelSection = z.output<typeof modelSectionSchema>;

/** Training defaults: the config section's and the library's (src/models/train.ts), one source. */
export const TRAIN_DEFAULTS = {
  epochs: 30,
  batchSize: 16,
  lr: 2e-3,
  patience: 8,
  checkpointEvery: 5,
  valFraction: 0.1,
  testFraction: 0.2,
  windowsPerClip: 4,
  gainDb: 6,
} as const;

/** The `train` section: optimisation, split, augmentation, checkpoints and backend. */
export const trainSectionSchema = z
  .object({
    epochs: z.number().int().positive().default(TRAIN_DEFAULTS.epochs).describe('maximum training epochs'),
    batchSize: z.number().int().min(2).default(TRAIN_DEFAULTS.batchSize).describe('windows per Adam step'),
    lr: z.number().positive().default(TRAIN_DEFAULTS.lr).describe('Adam learning rate'),
    patience: z.number().int().positive().default(TRAIN_DEFAULTS.patience).describe('stop after this many epochs without a lower validation loss'),
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .default(TRAIN_DEFAULTS.checkpointEvery)
      .describe('save checkpoints/epoch-NNNN every K epochs plus the untrained epoch 0 (0 = only best)'),
    split: z
      .enum(['random', 'fmri'])
      .default('random')
      .describe('random: stratified by clip with valFraction/testFraction; fmri: test = the clips stimuli.tsv marks fmri_set=test, val drawn from the rest'),
    valFraction: z
      .number()
      .min(0)
      .lt(1)
      .default(TRAIN_DEFAULTS.valFraction)
      .describe('fraction of each genre’s clips held out for validation (early stopping)'),
    testFraction: z
      .number()
      .min(0)
      .lt(1)
      .default(TRAIN_DEFAULTS.testFraction)
      .describe('fraction of each genre’s clips held out for the test evaluation (split = random)'),
    windowsPerClip: z.number().int().positive().default(TRAIN_DEFAULTS.windowsPerClip).describe('random crops per training clip per epoch'),
    gainDb: z.number().min(0).default(TRAIN_DEFAULTS.gainDb).describe('gain augmentation: uniform ±gainDb dB added to each crop'),
    backend: z.enum(['wasm', 'cpu', 'auto']).default('wasm').describe('tfjs backend (auto = tfjs-node when installed, else wasm); --backend overrides'),
    threads: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe(
        'threads of the native training kernels (their own pool; any count gives bit-identical results), or of wasm XNNPACK when the native kernels are unavailable (bit-reproducible with 1)',
      ),
  })
  .strict();
export type TrainSection = z.output<typeof trainSectionSchema>;

const modulationSchema = z
  .object({
    rates: z.array(z.number().positive()).min(1).default([2, 4, 8, 16]).describe('temporal modulation rates of the stm baseline, Hz'),
    scales: z.array(z.number().positive()).min(1).default([0.25, 0.5, 1, 2]).describe('spectral modulation scales of the stm baseline, cycles/octave'),
  })
  .strict();

/** The `features` section: which checkpoint, output rate, reduction and PCA. */
export const featuresSectionSchema = z
  .object({
    checkpoint: z
      .string()
      .regex(CHECKPOINT_CHOICE)
      .default('best')
      .describe('best, all (one sub-folder per saved epoch) or epoch-NNNN; --checkpoint overrides'),
    tr: z.number().positive().default(1.5).describe('fMRI repetition time, s; the default output rate is 1/tr'),
    rate: z.number().positive().nullable().default(null).describe('output rows per second, Hz (null = 1/tr); --rate overrides'),
    iterations: z.enum(['all', 'last']).default('all').describe('every iteration of recurrent areas (iter-0 … iter-(times−1)) or only the last'),
    freqBins: z.number().int().positive().default(4).describe('frequency bins kept per channel (average pooled); features = channels × bins'),
    pca: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('PCA to this many components fitted on training stimuli only (null = off); --pca overrides'),
    modulation: modulationSchema.default(modulationSchema.parse({})).describe('the stm (spectrotemporal modulation) baseline'),
  })
  .strict();
export type FeaturesSection = z.output<typeof featuresSectionSchema>;

/** A study config file as the model stages read it; sections of other stages pass through. */
export const modelStagesFileSchema = z
  .object({
    model: modelSectionSchema.default(modelSectionSchema.parse({})),
    train: trainSectionSchema.default(trainSectionSchema.parse({})),
    features: featuresSectionSchema.default(featuresSectionSchema.parse({})),
  })
  .loose();
export type ModelStagesFile = z.output<typeof modelStagesFileSchema>;

/** The AudioNet config (ban.ts) of a `model` section for architecture `kind`; nClasses etc. are set by training. */
export function toModelConfig(m: ModelSection, kind: 'ban' | 'cnn'): ModelConfigInput {
  const { mel: _mel, ...rest } = m;
  return { ...rest, kind, areas: rest.areas.map((a) => ({ ...a })), fcHidden: rest.fcHidden.slice() };
}

/** Log-mel options of a `model` section (nMels included), for readClips / stimulusFromAudio. */
export function melOptions(m: ModelSection): Required<LogMelOptions> {
  return { sr: m.mel.sr, nFft: m.mel.nFft, hop: m.mel.hop, nMels: m.nMels };
}
