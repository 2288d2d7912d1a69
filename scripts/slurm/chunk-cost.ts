/**
 * The cost of one voxel chunk of a study-mode encoding at ds003720's size,
 * for the projection in docs/scale-out.md: leave-one-run-out ridge CV with the
 * refit (the work of a chunk) on random data with the real shapes: 12
 * training runs × 410 volumes, BAN's feature spaces (channels × 4 frequency
 * bins × 6 FIR delays), the alignment α grid, in 256-voxel blocks. Timed
 * for 1 and 9 blocks, so the per-space cost splits into a fixed part (the
 * eigendecompositions of the folds and the refit, paid once per chunk) and a
 * part per block. Reports wall and CPU seconds (the machine may be shared).
 *
 *   npx tsx scripts/slurm/chunk-cost.ts [--runs 12] [--vols 410] [--test-vols 600] [--spaces a1,belt,pb,t|none]
 */
import { ridgeCV } from '../../src/encoding/ridge.js';
import { VOXEL_BLOCK } from '../../src/encoding/voxel-blocks.js';
import { Rng } from '../../src/core/prng.js';
import { arg } from '../bench/torch-compare.js';

const runs = Number(arg('runs', '12'));
const vols = Number(arg('vols', '410'));
const n = runs * vols;
const delays = 6;
const alphas = [-1, 0, 1, 2, 3, 4, 5].map((e) => 10 ** e);
const rng = new Rng(0, 'chunk-cost');
const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / vols));
const gauss = (len: number) => Float32Array.from({ length: len }, () => rng.nextU32() / 2 ** 32 - 0.5);

function time(p: number, v: number): { wall: number; cpu: number } {
  const X = gauss(n * p);
  const Y = gauss(n * v);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  ridgeCV({ X, n, p, Y, v, alphas, groups, returnWeights: true, batchSize: VOXEL_BLOCK });
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

process.stdout.write('space\tfeatures_p\tfixed_wall_s\tper_block_wall_s\tfixed_cpu_s\tper_block_cpu_s\n');
// BAN's areas as in pipelines/ban-bas.json: a1 16, belt 24, pb 32, t 48 channels × 4 frequency bins.
const only = arg('spaces', 'a1,belt,pb,t').split(',');
for (const [name, channels] of (
  [
    ['a1', 16],
    ['belt', 24],
    ['pb', 32],
    ['t', 48],
  ] as const
).filter(([a]) => only.includes(a))) {
  const p = channels * 4 * delays;
  const one = time(p, VOXEL_BLOCK);
  const many = time(p, 9 * VOXEL_BLOCK);
  const perWall = (many.wall - one.wall) / 8;
  const perCpu = (many.cpu - one.cpu) / 8;
  process.stdout.write(`${name}\t${p}\t${(one.wall - perWall).toFixed(2)}\t${perWall.toFixed(2)}\t${(one.cpu - perCpu).toFixed(2)}\t${perCpu.toFixed(2)}\n`);
}
process.stdout.write(`n = ${n} training volumes (${runs} runs × ${vols}), ${alphas.length} α, block ${VOXEL_BLOCK} voxels\n`);

// The merge's serial part: the phase-randomisation null of every map (1000 draws by default) over all
// voxels of the subject, timed on a slice of voxels and draws and reported per 1000 draws × 1000 voxels.
{
  const { permutationTestR } = await import('../../src/stats/permutation.js');
  const nT = Number(arg('test-vols', '600'));
  const nV = 1024;
  const nPerm = 50;
  const pred = gauss(nT * nV);
  const data = gauss(nT * nV);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  permutationTestR(pred, data, nT, nV, {
    rng: rng.fork('perm'),
    scheme: { kind: 'phase' },
    nPerm,
    roiStatistic: 'median',
    rois: [{ name: 'all', voxels: Array.from({ length: nV }, (_, i) => i) }],
  });
  const c = process.cpuUsage(c0);
  const scale = (1000 / nPerm) * (1000 / nV);
  process.stdout.write(
    `merge: permutation null of one map, ${nT} test volumes: ${(((performance.now() - t0) / 1000) * scale).toFixed(2)} s wall, ${(((c.user + c.system) / 1e6) * scale).toFixed(2)} s CPU per 1000 draws × 1000 voxels\n`,
  );
}
