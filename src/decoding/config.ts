/**
 * Configuration of the EEG identification study (pipelines/eeg-identification.json):
 * `input` and `prep` for `brainalign eeg-prep`, `decode` for `brainalign decode-eeg`.
 * Parsing it loads no tfjs.
 */
import { z } from 'zod';
import { eegEncoderConfigSchema } from '../models/eeg-encoder-config.js';
import { eegPrepConfigSchema } from '../signal/eeg/prep.js';
import { eegInputConfigSchema } from './sources/config.js';

export const DECODERS = ['predann', 'predann-noann', 'regression', 'mtrf-envelope'] as const;
export type DecoderName = (typeof DECODERS)[number];

export const decodeEegConfigSchema = z
  .object({
    featureSet: z.string().nullable().default(null).describe('which <model>/<area>/iter-<k> of the features artifact is the ANN target (null: the only one, else the last in sorted order)'),
    decoders: z.array(z.enum(DECODERS)).min(1).default([...DECODERS]).describe('decoders to run'),
    splits: z.array(z.enum(['random-chunk', 'time-block', 'loso'])).min(1).default(['random-chunk', 'time-block', 'loso']).describe('cross-validation splits'),
    windowSec: z.number().positive().default(3).describe('decoder window length, s (PredANN: 3 s)'),
    hopSec: z.number().positive().default(1).describe('hop between windows, s'),
    evalWindowsSec: z.array(z.number().positive()).min(1).default([3, 4, 5, 6, 8]).describe('evaluation lengths, s (≥ windowSec; lengths beyond the segments are skipped)'),
    combine: z.array(z.enum(['mean', 'max', 'vote'])).min(1).default(['mean', 'max', 'vote']).describe('how windows combine into a longer evaluation window'),
    folds: z.number().int().min(2).default(4).describe('folds of the random-chunk split'),
    blocks: z.number().int().min(2).default(2).describe('time blocks per segment in the time-block split'),
    cnnFolds: z.number().int().min(1).default(1).describe('folds per split on which the CNN decoders are trained (each costs one training run)'),
    topK: z.number().int().min(1).default(5).describe('k of the top-k accuracy'),
    nBoot: z.number().int().min(10).default(1000).describe('bootstrap replicates for the CI'),
    nPerm: z.number().int().min(10).default(1000).describe('label permutations for p_perm'),
    targetBins: z.number().int().min(1).default(4).describe('time bins of the ANN target vector per window (PredANN InfoNCE)'),
    regression: z
      .object({
        lagsSec: z.tuple([z.number(), z.number()]).default([0, 0.5]).describe('EEG lags after the stimulus used by the backward model, s'),
        lagStep: z.number().int().min(1).default(2).describe('use every n-th lag (2 at 64 Hz = 31 ms spacing; the Gram cost falls with its square)'),
        alphas: z.array(z.number().positive()).min(1).default([1, 10, 100, 1e3, 1e4, 1e5, 1e6]).describe('ridge α grid'),
        innerFolds: z.number().int().min(2).default(3).describe('inner CV folds for α'),
      })
      .strict()
      .default({ lagsSec: [0, 0.5], lagStep: 2, alphas: [1, 10, 100, 1e3, 1e4, 1e5, 1e6], innerFolds: 3 }),
    encoder: eegEncoderConfigSchema.default(eegEncoderConfigSchema.parse({})),
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
