/**
 * Voxel chunks of one study-mode encoding, so a cluster can fit the ridge
 * models of a subject's voxels in parallel jobs. Every voxel's cleaning and
 * ridge fit (α chosen by its own CV score, its own weights, its own test
 * prediction) is independent of the other voxels, so a chunk reads and fits
 * a contiguous range of the fitted voxels (whole voxel blocks,
 * voxel-blocks.ts) and the merge concatenates the ranges. What couples voxels
 * (ROI medians, the permutation null of the ROI statistic, FDR across voxels,
 * the noise ceilings) runs once, after the merge, on the whole subject: the
 * merged encoding is the local one, byte for byte (test/e2e/slurm-executor.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { readNpy, writeNpy } from '../io/npy.js';
import type { FeatureSpaceRef } from './feature-store.js';
import type { SpaceFit } from './study.js';
import { VOXEL_BLOCK } from './voxel-blocks.js';

/** Chunk `index` (0-based) of `count`. */
export interface VoxelChunk {
  index: number;
  count: number;
}

/**
 * Half-open voxel range [lo, hi) of a chunk: whole voxel blocks (VOXEL_BLOCK),
 * contiguous, block counts differing by at most one. With more chunks than
 * blocks some chunks are empty.
 */
export function voxelRange(chunk: VoxelChunk, nV: number): { lo: number; hi: number } {
  const blocks = Math.ceil(nV / VOXEL_BLOCK);
  const at = (i: number): number => Math.min(nV, Math.floor((i * blocks) / chunk.count) * VOXEL_BLOCK);
  return { lo: at(chunk.index), hi: at(chunk.index + 1) };
}

/** The fits of a chunk without voxels. */
export function emptyFits(spaces: readonly FeatureSpaceRef[]): SpaceFit[] {
  return spaces.map((ref) => ({
    ref,
    alpha: new Float32Array(0),
    cvScore: new Float32Array(0),
    r: new Float32Array(0),
    r2: new Float32Array(0),
    pred: new Float32Array(0),
  }));
}

const FIELDS = ['alpha', 'cvScore', 'r', 'r2'] as const;

interface ChunkIndex {
  chunk: VoxelChunk;
  lo: number;
  hi: number;
  nVoxels: number;
  nTest: number;
  spaces: { model: string; area: string; iteration: number }[];
}

const spaceId = (s: { model: string; area: string; iteration: number }): string => `${s.model}\u0000${s.area}\u0000${s.iteration}`;

/**
 * Writes the fits of one chunk under `dir` (one folder per model of a store):
 * per space i, `space-<i>_{alpha,cvScore,r,r2}.npy` (chunk voxels) and
 * `space-<i>_pred.npy` (nTest × chunk voxels), with `chunk.json` naming the
 * spaces and the voxel range.
 */
export function writeChunkFits(
  dir: string,
  fits: readonly SpaceFit[],
  chunk: VoxelChunk,
  range: { lo: number; hi: number },
  nVoxels: number,
  nTest: number,
): void {
  fs.mkdirSync(dir, { recursive: true });
  const w = range.hi - range.lo;
  fits.forEach((f, i) => {
    for (const k of FIELDS) writeNpy(path.join(dir, `space-${i}_${k}.npy`), f[k], [w]);
    writeNpy(path.join(dir, `space-${i}_pred.npy`), f.pred, [nTest, w]);
  });
  const index: ChunkIndex = {
    chunk,
    lo: range.lo,
    hi: range.hi,
    nVoxels,
    nTest,
    spaces: fits.map((f) => ({ model: f.ref.model, area: f.ref.area, iteration: f.ref.iteration })),
  };
  writeJsonAtomic(path.join(dir, 'chunk.json'), index);
}

function readF32(file: string, n: number): Float32Array {
  const a = readNpy(file);
  if (!(a.data instanceof Float32Array) || a.data.length !== n) throw new InputError(file, `expected ${n} float32 values, got ${a.data.length} of ${a.dtype}`);
  return a.data;
}

/**
 * The whole-subject fits of `spaces`, assembled from the chunk folders (one
 * per chunk, any order). The chunks must tile the voxels exactly once, for the
 * same spaces and test length, or the merge refuses.
 */
export function mergeChunkFits(dirs: readonly string[], spaces: readonly FeatureSpaceRef[], nV: number, nTest: number): SpaceFit[] {
  const idx = dirs.map((dir) => {
    const file = path.join(dir, 'chunk.json');
    if (!fs.existsSync(file)) throw new InputError(dir, 'not a chunk of this model (no chunk.json)');
    return { dir, c: JSON.parse(fs.readFileSync(file, 'utf8')) as ChunkIndex };
  });
  idx.sort((a, b) => a.c.lo - b.c.lo);
  let next = 0;
  for (const { dir, c } of idx) {
    if (c.nVoxels !== nV || c.nTest !== nTest)
      throw new InputError(dir, `chunk of ${c.nVoxels} voxels × ${c.nTest} test volumes; this subject has ${nV} × ${nTest}`);
    if (c.lo !== next) throw new InputError(dir, `chunks do not tile the voxels: expected one starting at voxel ${next}, got ${c.lo}`);
    if (c.spaces.length !== spaces.length || c.spaces.some((s, i) => spaceId(s) !== spaceId(spaces[i])))
      throw new InputError(dir, 'chunk fitted other feature spaces than the features artifact holds');
    next = c.hi;
  }
  if (next !== nV) throw new InputError(dirs[0] ?? 'chunks', `chunks cover voxels [0, ${next}) of ${nV}`);
  return spaces.map((ref, i) => {
    const full = { alpha: new Float32Array(nV), cvScore: new Float32Array(nV), r: new Float32Array(nV), r2: new Float32Array(nV) };
    const pred = new Float32Array(nTest * nV);
    for (const { dir, c } of idx) {
      const w = c.hi - c.lo;
      for (const k of FIELDS) full[k].set(readF32(path.join(dir, `space-${i}_${k}.npy`), w), c.lo);
      const p = readF32(path.join(dir, `space-${i}_pred.npy`), nTest * w);
      for (let t = 0; t < nTest; t++) pred.set(p.subarray(t * w, (t + 1) * w), t * nV + c.lo);
    }
    return { ref, ...full, pred };
  });
}
