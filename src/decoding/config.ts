/**
 * Configuration of the EEG identification study (pipelines/eeg-identification.json):
 * `input` and `prep` for `brainalign eeg-prep`, `decode` for `brainalign decode-eeg`.
 * Parsing it loads no tfjs.
 */
import { z } from 'zod';
import { eegEncoderConfigSchema } from '../models/eeg-encoder-config.js';
import { audioEncoderConfigSchema } from '../models/audio-encoder-config.js';
import { eegPrepConfigSchema } from '../signal/eeg/prep.js';
import { eegInputConfigSchema } from './sources/config.js';
import { COMBINES } from './evaluate.js';
import { SPLITS } from './windows.js';
import { DEFAULT_ALPHAS } from '../encoding/config.js';

export const DECODERS = ['predann', 'predann-noann', 'regression', 'mtrf-envelope'] as const;
export type DecoderName = (typeof DECODERS)[number];

export const decodeEegConfigSchema = z
  .object({
    featureSet: z
      .string()
      .nullable()
      .default(null)
      .describe('which <model>/<area>/iter-<k> of the features artifact is the ANN target (null: the only one, else the last in sorted order)'),
    decoders: z
      .array(z.enum(DECODERS))
      .min(1)
      .default([...DECODERS])
      .describe('decoders to run'),
    splits: z
      .array(z.enum(SPLITS))
      .min(1)
      .default(['chunk-leaky', 'time-block', 'loso'])
      .describe(
        "cross-validation splits: chunk-leaky (PredANN's 30-s chunk split, leaky), random-chunk (random windows, leakier), time-block (held-out blocks with a gap), loso (leave one subject out)",
      ),
    windowSec: z.number().positive().default(3).describe('decoder window length, s (PredANN: 3 s)'),
    hopSec: z.number().positive().default(1).describe('hop between windows, s'),
    evalWindowsSec: z
      .array(z.number().positive())
      .min(1)
      .default([3, 4, 5, 6, 8])
      .describe('evaluation lengths, s (≥ windowSec; lengths beyond the segments are skipped)'),
    combine: z
      .array(z.enum(COMBINES))
      .min(1)
      .default(['mean', 'mean-logprob', 'max', 'vote'])
      .describe(
        'how windows combine into a longer evaluation window: mean (mean softmax for the CNN, as PredANN; mean r for the regressions), mean-logprob (mean log-probability), max, vote',
      ),
    folds: z.number().int().min(2).default(4).describe('folds of the random-chunk split'),
    blocks: z.number().int().min(2).default(2).describe('time blocks per segment in the time-block split'),
    blockGapSec: z.number().min(0).default(0.5).describe('time-block split: training windows stay at least this far from the test block, s'),
    chunkSec: z.number().positive().default(30).describe('chunk-leaky split: chunk length, s (PredANN: 30; segments shorter than one chunk are one chunk)'),
    chunkTestFraction: z
      .number()
      .gt(0)
      .max(0.5)
      .default(0.25)
      .describe("chunk-leaky split: fraction of each song's chunks held out per fold (PredANN: 0.25; folds = round(1/fraction), every chunk tested once)"),
    cnnSplits: z
      .array(z.enum(SPLITS))
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'splits on which the CNN decoders run (null = every split in `splits`; each fold costs one training run, so a time budget may keep the CNNs to leave-one-subject-out)',
      ),
    cnnFolds: z
      .number()
      .int()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'folds per split on which the CNN decoders are trained (null = all, so LOSO tests every subject including the control; each fold costs one training run)',
      ),
    topK: z.number().int().min(1).default(5).describe('k of the top-k accuracy'),
    nBoot: z.number().int().min(10).default(1000).describe('bootstrap replicates for the CI'),
    nPerm: z.number().int().min(10).default(1000).describe('label permutations for p_perm'),
    targetBins: z.number().int().min(1).default(4).describe('time bins of the ANN target vector per window (PredANN InfoNCE)'),
    regression: z
      .object({
        lagsSec: z.tuple([z.number(), z.number()]).default([0, 0.5]).describe('EEG lags after the stimulus used by the backward model, s'),
        lagStep: z.number().int().min(1).default(2).describe('use every n-th lag (2 at 64 Hz = 31 ms spacing; the Gram cost falls with its square)'),
        alphas: z
          .array(z.number().positive())
          .min(1)
          .default([...DEFAULT_ALPHAS])
          .describe('ridge α grid (default 0.1–1e6, the project-wide DEFAULT_ALPHAS)'),
        innerFolds: z.number().int().min(2).default(3).describe('inner CV folds for α'),
      })
      .strict()
      .default({ lagsSec: [0, 0.5], lagStep: 2, alphas: [...DEFAULT_ALPHAS], innerFolds: 3 }),
    predannTarget: z
      .enum(['audio-cnn', 'ann', 'modulation'])
      .default('audio-cnn')
      .describe(
        "InfoNCE target of the PredANN decoder: 'audio-cnn' (PredANN: an audio CNN on the waveform trained jointly, CE_audio added, stop-gradient embedding), 'ann' (the fixed representation given as the ANN target, e.g. BAN's, in targetBins bins) or 'modulation' (fixed per-window envelope modulation spectrum and onset statistics)",
      ),
    encoder: eegEncoderConfigSchema.default(eegEncoderConfigSchema.parse({})),
    audio: audioEncoderConfigSchema.default(audioEncoderConfigSchema.parse({})).describe("PredANN's audio CNN (predannTarget 'audio-cnn')"),
  })
  .strict();

export type DecodeEegConfig = z.output<typeof decodeEegConfigSchema>;

export const eegIdentificationConfigSchema = z
  .object({
    input: eegInputConfigSchema.default(eegInputConfigSchema.parse({})),
    prep: eegPrepConfigSchema.default(eegPrepConfigSchema.parse({})),
    decode: decodeEegConfigSchema.default(decodeEegConfigSchema.parse({})),
  })
  .passthrough();

export type EegIdentificationConfig = z.output<typeof eegIdentificationConfigSchema>;
