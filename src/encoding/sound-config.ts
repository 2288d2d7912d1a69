/**
 * The `sounds` section of a natural-sounds study config
 * (pipelines/natural-sounds.json): Pepino's / Tuckute's sound-level protocol
 * for NH2015 / B2021 (src/encoding/sound-level.ts, docs/real-data.md).
 */
import { z } from 'zod';
import { TUCKUTE_RELIABILITY_FLOOR } from './ceilings.js';

export const soundsSectionSchema = z
  .strictObject({
    alphas: z
      .array(z.number().positive())
      .min(1)
      .default([0.01, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7])
      .describe('ridge α grid; α and the layer are chosen per voxel by the inner folds'),
    outerFolds: z.number().int().min(2).default(5).describe('outer folds over the sounds (score only)'),
    innerFolds: z.number().int().min(2).default(5).describe('inner folds within each outer training set (choose α and layer)'),
    correction: z
      .enum(['tuckute', 'voxel'])
      .default('tuckute')
      .describe(
        'tuckute: r² / (max(ρ, floor)·max(ρ̂, floor)) with ρ̂ the reliability of predictions refit on single scans (Tuckute et al. 2023); voxel: r² / max(ρ, floor) only',
      ),
    reliabilityFloor: z
      .number()
      .gt(0)
      .max(1)
      .default(TUCKUTE_RELIABILITY_FLOOR)
      .describe('floor on the Spearman–Brown reliability before it divides r² (Kell 2018 / Tuckute 2023: 0.182)'),
    rsaFolds: z.number().int().min(3).default(5).describe('stimulus folds of the cross-validated layer choice in RSA'),
    rsaRepeats: z.number().int().min(1).default(10).describe('random fold assignments averaged in RSA'),
  })
  .describe('sound-level encoding and RSA of NH2015 / B2021');

export const soundsFileSchema = z.object({ sounds: soundsSectionSchema.default(soundsSectionSchema.parse({})) }).loose();

export type SoundsConfig = z.output<typeof soundsSectionSchema>;
