import test, { type ExecutionContext } from 'ava';
import { initBackend, tf } from '../../src/models/backend.js';
import { installNativeKernels, uninstallNativeKernels } from '../../src/models/kernels/index.js';
import { adam } from '../../src/models/optimizer.js';
import { nativeTrainingKernels } from '../../src/linalg/index.js';
import { Rng } from '../../src/core/prng.js';

/** A small regression (dense + bias, 3 layers' worth of shapes) trained `steps` Adam steps; returns the final weights. */
function train(make: () => tf.Optimizer, steps: number): Float32Array[] {
  const r = new Rng(11, 'adam');
  const w1 = tf.variable(tf.tensor2d(r.normals(24 * 16), [24, 16]).mul(0.3), true, 'adam-w1');
  const b1 = tf.variable(tf.zeros([16]), true, 'adam-b1');
  const w2 = tf.variable(tf.tensor2d(r.normals(16 * 3), [16, 3]).mul(0.3), true, 'adam-w2');
  const x = tf.tensor2d(r.normals(40 * 24), [40, 24]);
  const y = tf.tensor2d(r.normals(40 * 3), [40, 3]);
  const opt = make();
  for (let i = 0; i < steps; i++) {
    const loss = opt.minimize(() => tf.losses.meanSquaredError(y, tf.relu(x.matMul(w1).add(b1)).matMul(w2)) as tf.Scalar, true);
    loss?.dispose();
  }
  const out = [w1, b1, w2].map((v) => v.dataSync() as Float32Array);
  opt.dispose();
  tf.dispose([w1, b1, w2, x, y]);
  return out;
}

const nn = nativeTrainingKernels();

/** Only where the addon exists (models-native-kernels.test.ts asserts it does wherever OpenBLAS's headers are installed). */
function withAddon(title: string, fn: (t: ExecutionContext) => void | Promise<void>): void {
  if (nn) test.serial(title, fn);
}

test.serial('without the native kernels adam() is tfjs AdamOptimizer itself', async (t) => {
  await initBackend('wasm', { kernels: 'wasm' });
  t.is(adam(1e-3).constructor, tf.AdamOptimizer);
});

withAddon('the fused native Adam gives the same bits as tfjs AdamOptimizer over 25 steps (weights, learning rate 1e-2)', async (t) => {
  await initBackend('wasm', { kernels: 'native', threads: 1 });
  const fused = train(() => adam(1e-2), 25);
  const reference = train(() => tf.train.adam(1e-2), 25);
  // tfjs optimizers answer instanceof by duck typing, so the constructor is compared.
  t.not(adam(1e-2).constructor, tf.AdamOptimizer, 'the native kernel is registered, so adam() is the fused one');
  for (let k = 0; k < fused.length; k++) t.deepEqual(Buffer.from(fused[k].buffer), Buffer.from(reference[k].buffer), `variable ${k}`);
  // The updates moved the weights: equality is not two untouched copies.
  uninstallNativeKernels();
  const start = train(() => adam(1e-2), 0);
  installNativeKernels(1);
  t.true(start[0].some((v, i) => v !== fused[0][i]));
});

withAddon('the fused Adam gives the same bits with 2 threads as with 1 on a variable larger than one task (70 000 weights)', async (t) => {
  await initBackend('wasm', { kernels: 'native', threads: 1 });
  const run = (threads: number): Float32Array => {
    installNativeKernels(threads);
    const r = new Rng(5, 'adam-big');
    const w = tf.variable(tf.tensor1d(r.normals(70_000)), true, `adam-big-${threads}`);
    const target = tf.tensor1d(r.normals(70_000));
    const opt = adam(1e-3);
    for (let i = 0; i < 5; i++) opt.minimize(() => tf.sum(tf.square(w.sub(target))) as tf.Scalar, false);
    const out = w.dataSync() as Float32Array;
    opt.dispose();
    tf.dispose([w, target]);
    return out;
  };
  const one = run(1);
  const two = run(2);
  installNativeKernels(1);
  t.deepEqual(Buffer.from(two.buffer), Buffer.from(one.buffer));
});
