/**
 * Configuration of the PredANN-style EEG encoder and its training, kept apart
 * from the network so that configs can be parsed without loading tfjs.
 * Defaults are PredANN's training script (Akama et al.; codes_7s config):
 * 32-64-128 filters of 3×3, no pooling, dropout 0.5 on the last feature map,
 * 100-unit heads and 100-d embeddings, Adam lr 3·10⁻³, batch 48, weight decay
 * 10⁻⁶, λ = 0.05, τ = 0.5. Their run goes to 6000 epochs; here training stops
 * early when the validation cross-entropy has not improved for `patience` epochs.
 */
import { z } from 'zod';

export const eegEncoderConfigSchema = z
  .object({
    filters: z.array(z.number().int().min(1)).min(1).default([32, 64, 128]).describe('output channels of each convolution (PredANN: 32-64-128)'),
    kernel: z
      .tuple([z.number().int().min(1), z.number().int().min(1)])
      .default([3, 3])
      .describe('kernel size [channels, time] (PredANN: 3×3)'),
    poolTime: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('max-pool factor along time after each convolution (1 = none, as PredANN; >1 trades fidelity for speed)'),
    dropout: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.5)
      .describe('dropout rate on the last convolutional feature map, before global average pooling (PredANN: 0.5)'),
    projectionHidden: z.number().int().min(1).default(100).describe('hidden units of the classification and projection heads (PredANN: 100)'),
    embeddingDim: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe(
        'dimension of the EEG and audio embeddings compared by InfoNCE when the target is the audio CNN (PredANN: 100); fixed-feature targets set their own dimension',
      ),
    lambda: z.number().min(0).default(0.05).describe('weight λ of the InfoNCE term (0 = no-ANN baseline)'),
    temperature: z.number().positive().default(0.5).describe('InfoNCE temperature τ'),
    epochs: z.number().int().min(1).default(200).describe('maximum training epochs (PredANN: 6000; early stopping usually ends far sooner)'),
    patience: z
      .number()
      .int()
      .min(0)
      .default(20)
      .describe(
        'stop when the validation cross-entropy has not improved for this many epochs and restore the best weights (0 = train all epochs, no validation hold-out)',
      ),
    validationFraction: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.15)
      .describe('fraction of the training segments (whole presentations) held out for early stopping'),
    cropJitterSec: z
      .number()
      .min(0)
      .default(0.5)
      .describe(
        "random crops: every epoch each training window starts up to ±this many seconds from its grid position, never reading EEG outside the fold's training windows (0 = fixed windows; they let the network memorise background EEG)",
      ),
    batchSize: z.number().int().min(2).default(48).describe('windows per batch (PredANN: 48)'),
    lr: z.number().positive().default(3e-3).describe('Adam learning rate (PredANN: 3e-3)'),
    weightDecay: z.number().min(0).default(1e-6).describe('L2 penalty on convolution and dense weights (PredANN: 1e-6)'),
  })
  .strict();

export type EegEncoderConfig = z.output<typeof eegEncoderConfigSchema>;
