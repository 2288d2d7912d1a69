/**
 * Configuration of the PredANN-style EEG encoder and its training, kept apart
 * from the network so that configs can be parsed without loading tfjs.
 */
import { z } from 'zod';

export const eegEncoderConfigSchema = z
  .object({
    filters: z.array(z.number().int().min(1)).min(1).default([4, 8, 16]).describe('output channels of each convolution'),
    kernel: z.tuple([z.number().int().min(1), z.number().int().min(1)]).default([3, 5]).describe('kernel size [channels, time]'),
    poolTime: z.number().int().min(1).default(4).describe('max-pool factor along time after each convolution (1 = none)'),
    dropout: z.number().min(0).max(0.9).default(0.5).describe('dropout rate before the heads'),
    projectionHidden: z.number().int().min(1).default(64).describe('hidden units of the projection head'),
    lambda: z.number().min(0).default(0.05).describe('weight λ of the InfoNCE term (0 = no-ANN baseline)'),
    temperature: z.number().positive().default(0.5).describe('InfoNCE temperature τ'),
    epochs: z.number().int().min(1).default(10).describe('training epochs'),
    batchSize: z.number().int().min(2).default(32).describe('windows per batch'),
    lr: z.number().positive().default(1e-3).describe('Adam learning rate'),
    weightDecay: z.number().min(0).default(0).describe('L2 penalty on convolution and dense weights'),
  })
  .strict();

export type EegEncoderConfig = z.output<typeof eegEncoderConfigSchema>;
