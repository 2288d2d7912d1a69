/**
 * `train.json` of a train artifact: what the features stage needs to know
 * about the network (name, architecture, classes, log-mel input, best epoch,
 * saved epoch checkpoints) without loading weights.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json.js';
import { EPOCH_NAME } from './checkpoints.js';

export const TRAIN_ARCHS = ['ban', 'cnn'] as const;
export type TrainArch = (typeof TRAIN_ARCHS)[number];

export const TRAIN_ABLATIONS = ['none', 'no-recurrence', 'fewer-areas', 'no-skip'] as const;
export type TrainAblation = (typeof TRAIN_ABLATIONS)[number];

export const melInputSchema = z
  .object({
    sr: z.number().int().positive().describe('sampling rate the clips must have, Hz'),
    nFft: z.number().int().positive().describe('FFT length, samples'),
    hop: z.number().int().positive().describe('hop, samples'),
    nMels: z.number().int().positive().describe('mel bands'),
  })
  .strict();
export type MelInput = z.output<typeof melInputSchema>;

export const trainManifestSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .describe('model name: the folder under which features stores put its areas'),
    arch: z.enum(TRAIN_ARCHS).describe('recurrent BAN or the feed-forward CNN'),
    ablation: z.enum(TRAIN_ABLATIONS).describe('BAN ablation'),
    classes: z.array(z.string()).min(2).describe('genres in output order'),
    mel: melInputSchema.describe('the log-mel the network was trained on'),
    bestEpoch: z.number().int().min(0).describe('epoch of checkpoints/best'),
    checkpoints: z.array(z.string().regex(EPOCH_NAME)).describe('saved epoch checkpoints, in epoch order'),
  })
  .strict();
export type TrainManifest = z.output<typeof trainManifestSchema>;

export const manifestFile = (trainDir: string): string => path.join(trainDir, 'train.json');

export function writeTrainManifest(trainDir: string, m: TrainManifest): void {
  writeJsonFile(manifestFile(trainDir), trainManifestSchema, m);
}

export function readTrainManifest(trainDir: string): TrainManifest {
  return readJsonFile(manifestFile(trainDir), trainManifestSchema);
}
