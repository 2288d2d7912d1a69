import test, { type ExecutionContext } from 'ava';
import { initBackend, tf } from '../../src/models/backend.js';
import { batchNormReluPool, type BatchNormVars } from '../../src/models/batchnorm.js';
import { BN_RELU_POOL_KERNEL } from '../../src/models/kernels/names.js';
import { nativeTrainingKernels } from '../../src/linalg/index.js';
import { Rng } from '../../src/core/prng.js';
import { defined } from '../helpers/defined.js';

const nn = nativeTrainingKernels();

/** The fused kernel exists only with the addon (test/models/models-native-kernels.test.ts checks that it builds where it can). */
function withAddon(title: string, fn: (t: ExecutionContext) => void | Promise<void>): void {
  if (nn) test.serial(title, fn);
}

interface TailRun {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

/**
 * One training-mode tail on x (values with ties at zero), γ with negative
 * entries (so a window's winner after the affine map is not x's largest),
 * and a random upstream gradient; returns output, gradients and the updated
 * running statistics.
 */
function tail(shape: [number, number, number, number], pool: number, seed: number): TailRun {
  const r = new Rng(seed, 'bn-relu-pool');
  const c = shape[3];
  const xs = r.normals(
    shape.reduce((p, v) => p * v, 1),
    0.5,
    2,
  );
  // Ties inside windows: two neighbouring positions of every five share each channel's value.
  for (let i = 0; i < xs.length; i++) if (Math.floor(i / c) % 5 < 2) xs[i] = 0.5 + 0.1 * (i % c);
  const gs = Float32Array.from(r.normals(c), (g, i) => (i % 3 === 1 ? -0.7 : 1 + 0.3 * g));
  const bs = r.normals(c, 0, 0.5);
  const wo = Math.floor(shape[2] / pool);
  const dys = r.normals(shape[0] * shape[1] * wo * c);
  return tf.tidy(() => {
    const v: BatchNormVars = {
      gamma: tf.variable(tf.tensor1d(gs)),
      beta: tf.variable(tf.tensor1d(bs)),
      mean: tf.variable(tf.zeros([c]), false),
      variance: tf.variable(tf.ones([c]), false),
    };
    const x = tf.tensor4d(xs, shape);
    const dy = tf.tensor4d(dys, [shape[0], shape[1], wo, c]);
    let y: Float32Array = new Float32Array(0);
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const out = batchNormReluPool(a as tf.Tensor4D, { ...v, gamma: g as tf.Variable, beta: b as tf.Variable }, true, 0.1, pool);
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, dy));
    };
    const [dx, dgamma, dbeta] = tf.grads(f)([x, v.gamma, v.beta]);
    const run = {
      y,
      dx: dx.dataSync() as Float32Array,
      dgamma: dgamma.dataSync() as Float32Array,
      dbeta: dbeta.dataSync() as Float32Array,
      runningMean: v.mean.dataSync() as Float32Array,
      runningVar: v.variance.dataSync() as Float32Array,
    };
    for (const k of [v.gamma, v.beta, v.mean, v.variance]) k.dispose();
    return run;
  });
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

withAddon(
  'the fused batch norm → ReLU → width max-pool kernel equals tfjs cpu running the three ops: output, x/γ/β gradients and running statistics within 1e-5, with a width tail no window covers, negative γ and ties',
  async (t) => {
    const cases: [[number, number, number, number], number][] = [
      [[3, 5, 14, 6], 4],
      [[2, 4, 9, 5], 3],
      [[3, 6, 7, 16], 1],
    ];
    for (const [shape, pool] of cases) {
      await initBackend('cpu');
      t.falsy(tf.getKernel(BN_RELU_POOL_KERNEL, 'cpu'), 'cpu runs the op-by-op route');
      const ref = tail(shape, pool, 5);
      await initBackend('wasm', { kernels: 'native', threads: 1 });
      t.truthy(tf.getKernel(BN_RELU_POOL_KERNEL, 'wasm'));
      const got = tail(shape, pool, 5);
      for (const k of ['y', 'dx', 'dgamma', 'dbeta', 'runningMean', 'runningVar'] as const) {
        t.is(got[k].length, ref[k].length, k);
        t.true(relErr(got[k], ref[k]) <= 1e-5, `${shape}/${pool} ${k}: ${relErr(got[k], ref[k])}`);
      }
      // The same windows route the gradient: outside the batch-norm terms dx differs by whole dy values where routing differs.
      t.true(
        got.y.every((v, i) => v > 0 === ref.y[i] > 0),
        'same rectified outputs',
      );
    }
  },
);

withAddon('the fused tail gives the same bytes with 2 threads as with 1 (tasks by lines, partial sums combined in task order)', async (t) => {
  const shape: [number, number, number, number] = [8, 32, 96, 8]; // 196 608 values: several tasks
  await initBackend('wasm', { kernels: 'native', threads: 1 });
  const one = tail(shape, 4, 9);
  await initBackend('wasm', { kernels: 'native', threads: 2 });
  const two = tail(shape, 4, 9);
  await initBackend('wasm', { kernels: 'native', threads: 1 });
  for (const k of ['y', 'dx', 'dgamma', 'dbeta', 'runningMean', 'runningVar'] as const) t.deepEqual(Buffer.from(two[k].buffer), Buffer.from(one[k].buffer), k);
});

withAddon('the addon refuses a pooling window wider than the row, and a short output view (RangeError, nothing written)', (t) => {
  const k = defined(nn, 'the native training kernels');
  const y = new Float32Array(8).fill(7);
  const stats = () => new Float32Array(2);
  t.throws(() => k.bnReluPoolForward(new Float32Array(12), new Float32Array(2), new Float32Array(2), y, stats(), stats(), Int32Array.of(2, 3, 2, 4), 1e-5, 1), {
    instanceOf: RangeError,
  });
  t.throws(
    () =>
      k.bnReluPoolForward(
        new Float32Array(16),
        new Float32Array(2),
        new Float32Array(2),
        y.subarray(0, 3),
        stats(),
        stats(),
        Int32Array.of(2, 4, 2, 2),
        1e-5,
        1,
      ),
    {
      instanceOf: RangeError,
    },
  );
  t.true(y.every((v) => v === 7));
});
