/**
 * Where an EEG-encoder training epoch spends its time: tfjs kernel times
 * summed by kernel (tf.profile) against the epoch's wall time, for the
 * benchmark's default network (scripts/bench/eeg-encoder.ts shapes).
 *
 *   npx tsx scripts/bench/eeg-profile.ts [--kernels native|wasm] [--threads 1] [--net default|predann-width]
 */
import { initBackend, tf, type KernelPath } from '../../src/models/backend.js';
import { refreshBatchNorm, trainEegEncoder } from '../../src/models/predann-train.js';
import { eegEncoderConfigSchema } from '../../src/models/eeg-encoder-config.js';
import { Rng } from '../../src/core/prng.js';
import { arg } from './torch-compare.js';

const kernels = arg('kernels', 'native') as KernelPath;
const threads = Number(arg('threads', '1'));
const net = arg('net', 'default');
const nWin = 256;
const batch = 32;
await initBackend('wasm', { threads, kernels });
const shape = { nCh: 32, nT: 192, nClasses: 80, targetDim: 8 };
const rng = new Rng(1, 'bench');
const set = {
  x: rng.normals(nWin * shape.nCh * shape.nT),
  labels: Int32Array.from({ length: nWin }, (_, i) => i % shape.nClasses),
  targets: rng.normals(nWin * shape.targetDim),
};
const arch = net === 'default' ? { filters: [4, 8, 16], poolTime: 4, kernel: [3, 5] } : { filters: [32, 64, 128], poolTime: 1, kernel: [3, 3] };
const cfg = eegEncoderConfigSchema.parse({ ...arch, epochs: 1, batchSize: batch });
const steps = nWin / batch;
trainEegEncoder(set, shape, cfg, 1).model.dispose();
const t0 = performance.now();
trainEegEncoder(set, shape, cfg, 1).model.dispose();
const wall = performance.now() - t0;
// tf.profile reuses its record between calls: copy each one out before the next.
const timed = async (f: () => void) => (await tf.profile(f)).kernels.map((k) => ({ name: k.name, ms: Number(k.kernelTimeMs) }));
const epochKernels = await timed(() => trainEegEncoder(set, shape, cfg, 1).model.dispose());
// The statistics refresh that ends training is one more forward pass over the set; its kernels are subtracted.
const trained = trainEegEncoder(set, shape, cfg, 1).model;
const t1 = performance.now();
refreshBatchNorm(trained, set.x, nWin, batch);
const refreshWall = performance.now() - t1;
const refreshKernels = await timed(() => refreshBatchNorm(trained, set.x, nWin, batch));
trained.dispose();
const by = new Map<string, { ms: number; calls: number }>();
let total = 0;
let calls = 0;
for (const [list, sign] of [
  [epochKernels, 1],
  [refreshKernels, -1],
] as const)
  for (const k of list) {
    const ms = sign * k.ms;
    total += ms;
    calls += sign;
    const e = by.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += sign;
    by.set(k.name, e);
  }
console.log(
  `EEG ${net}, batch ${batch}, ${kernels} kernels, ${threads} thread(s): wall ${((wall - refreshWall) / steps).toFixed(1)} ms/step (incl. init), kernels ${(total / steps).toFixed(1)} ms/step, ${(calls / steps).toFixed(0)} kernel calls/step`,
);
console.log('kernel                       ms/step  share  calls/step');
for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) {
  console.log(
    `${name.padEnd(28)} ${(e.ms / steps).toFixed(2).padStart(7)}  ${((100 * e.ms) / total).toFixed(1).padStart(4)}%  ${(e.calls / steps).toFixed(0).padStart(6)}`,
  );
}
