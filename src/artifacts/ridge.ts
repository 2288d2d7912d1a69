/**
 * The folder plain-mode `encode` writes (a ridge fit from X.npy to Y.npy):
 * one .npy per result and encode.json, which records the inputs, the grid and
 * folds, and describes every array it lists.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { mkdirSync } from 'node:fs';
import { readNpy, writeNpy } from '../io/npy.js';
import { readJsonFile, writeJsonFile } from './json.js';

export const ridgeFitIndexSchema = z
  .object({
    inputs: z.object({ X: z.string(), Y: z.string(), groups: z.string().nullable(), runs: z.string().nullable() }),
    samples: z.number().int(),
    /** Design columns after FIR delays. */
    features: z.number().int(),
    targets: z.number().int(),
    alphas: z.array(z.number()),
    folds: z.number().int(),
    delays: z.array(z.number()).nullable(),
    standardize: z.boolean(),
    files: z.record(z.string(), z.string()),
  })
  .describe('encode.json of a plain-mode ridge fit');
export type RidgeFitIndex = z.output<typeof ridgeFitIndexSchema>;

/** The per-target results of ridgeCV (float32), weights only when refitted. */
export interface RidgeFitArrays {
  bestAlpha: Float32Array;
  cvR: Float32Array;
  cvR2: Float32Array;
  /** nα × v, row-major. */
  cvRAll: Float32Array;
  /** p × v, row-major, on the raw design columns. */
  weights?: Float32Array;
  intercept?: Float32Array;
}

const DESCRIBE = {
  'best_alpha.npy': 'chosen ridge α per target (shape v)',
  'cv_r.npy': 'held-out Pearson r at the chosen α, mean over folds (shape v, unitless)',
  'cv_r2.npy': 'held-out R² at the chosen α, mean over folds (shape v, unitless)',
  'cv_r_all.npy': 'held-out Pearson r for every α, mean over folds (shape nα×v)',
} as const;
const DESCRIBE_WEIGHTS = {
  'weights.npy': 'weights on raw X columns (shape p×v, units of Y per unit of X)',
  'intercept.npy': 'intercept per target (shape v, units of Y)',
} as const;

export const ridgeFitIndexFile = (dir: string): string => path.join(dir, 'encode.json');

export function writeRidgeFit(dir: string, index: Omit<RidgeFitIndex, 'files'>, fit: RidgeFitArrays): void {
  const { targets: v, features: p, alphas } = index;
  mkdirSync(dir, { recursive: true });
  writeNpy(path.join(dir, 'best_alpha.npy'), fit.bestAlpha, [v]);
  writeNpy(path.join(dir, 'cv_r.npy'), fit.cvR, [v]);
  writeNpy(path.join(dir, 'cv_r2.npy'), fit.cvR2, [v]);
  writeNpy(path.join(dir, 'cv_r_all.npy'), fit.cvRAll, [alphas.length, v]);
  const weights = fit.weights !== undefined && fit.intercept !== undefined;
  if (weights) {
    writeNpy(path.join(dir, 'weights.npy'), fit.weights as Float32Array, [p, v]);
    writeNpy(path.join(dir, 'intercept.npy'), fit.intercept as Float32Array, [v]);
  }
  writeJsonFile(ridgeFitIndexFile(dir), ridgeFitIndexSchema, { ...index, files: { ...DESCRIBE, ...(weights ? DESCRIBE_WEIGHTS : {}) } });
}

export function readRidgeFitIndex(dir: string): RidgeFitIndex {
  return readJsonFile(ridgeFitIndexFile(dir), ridgeFitIndexSchema);
}

/** One result array of the fit, by file name (e.g. `cv_r.npy`), as float32. */
export function readRidgeFitArray(dir: string, file: keyof typeof DESCRIBE | keyof typeof DESCRIBE_WEIGHTS): Float32Array {
  const a = readNpy(path.join(dir, file));
  return a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>);
}
