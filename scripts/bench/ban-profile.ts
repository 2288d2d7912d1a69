/**
 * Where a BAN training step spends its time: tfjs kernel times summed by
 * kernel over a few steps (tf.profile), against the wall time of the same
 * steps, on the kernel path asked for. The gap between the two is JavaScript
 * overhead (tape, dispatch, allocation).
 *
 *   npx tsx scripts/bench/ban-profile.ts [--kernels native|wasm] [--threads 1] [--steps 3] [--batch 16]
 */
import { initBackend, tf, type KernelPath } from '../../src/models/backend.js';
import { arg } from './torch-compare.js';
import { banTrainingStep } from './ban-step.js';

const kernels = arg('kernels', 'native') as KernelPath;
const threads = Number(arg('threads', '1'));
const steps = Number(arg('steps', '3'));
const batch = Number(arg('batch', '16'));
await initBackend('wasm', { threads, kernels });
const { step, cfg } = banTrainingStep(batch);
step();
step();
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const wall = performance.now() - t0;
const info = await tf.profile(() => {
  for (let i = 0; i < steps; i++) step();
});
const by = new Map<string, { ms: number; calls: number }>();
let total = 0;
for (const k of info.kernels) {
  const ms = Number(k.kernelTimeMs);
  total += ms;
  const e = by.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += ms;
  e.calls++;
  by.set(k.name, e);
}
console.log(
  `BAN ${cfg.nMels}×${cfg.frames}, batch ${batch}, ${kernels} kernels, ${threads} thread(s): wall ${(wall / steps).toFixed(0)} ms/step unprofiled, kernels ${(total / steps).toFixed(0)} ms/step`,
);
console.log('kernel                       ms/step  share  calls/step');
for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  console.log(
    `${name.padEnd(28)} ${(e.ms / steps).toFixed(1).padStart(7)}  ${((100 * e.ms) / total).toFixed(1).padStart(4)}%  ${(e.calls / steps).toFixed(0).padStart(6)}`,
  );
}
