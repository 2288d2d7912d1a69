import test from 'ava';
import { initBackend, tf } from '../../src/models/backend.js';
import { batchNormTrain } from '../../src/models/batchnorm.js';
import { Rng } from '../../src/core/prng.js';

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Batch norm written with plain differentiable ops, differentiated by tfjs autodiff: the reference. */
function reference(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
}

for (const backend of ['cpu', 'wasm'] as const) {
  test.serial(`closed-form batch-norm forward and gradients equal autodiff of the textbook formula (${backend}, rel. err ≤ 1e-5)`, async (t) => {
    await initBackend(backend);
    const rng = new Rng(21, 'bn');
    const shape: [number, number, number, number] = [3, 5, 4, 6];
    const n = shape.reduce((a, c) => a * c, 1);
    const xs = rng.normals(n, 2, 3);
    const gs = rng.normals(6, 1, 0.3);
    const bs = rng.normals(6);
    const ws = rng.normals(n); // random cotangent
    const run = (fn: typeof reference) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, shape);
        const g = tf.tensor1d(gs);
        const b = tf.tensor1d(bs);
        const w = tf.tensor4d(ws, shape);
        const y = fn(x, g, b, 1e-5).dataSync();
        const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor4D, c as tf.Tensor1D, d as tf.Tensor1D, 1e-5), w)))(
          [x, g, b],
        );
        return { y, d: grads.map((q) => q.dataSync()) };
      });
    const mine = run((x, g, b, e) => batchNormTrain(x, g, b, e));
    const ref = run(reference);
    t.true(relErr(mine.y, ref.y) <= 1e-5, `forward ${relErr(mine.y, ref.y)}`);
    ['x', 'gamma', 'beta'].forEach((name, i) => t.true(relErr(mine.d[i], ref.d[i]) <= 1e-5, `${name}: ${relErr(mine.d[i], ref.d[i])}`));
    // statistics handed out are the biased batch moments
    const stats = tf.tidy(() => {
      let out: number[] = [];
      batchNormTrain(tf.tensor4d(xs, shape), tf.tensor1d(gs), tf.tensor1d(bs), 1e-5, (m, v) => {
        out = [m.dataSync()[0], v.dataSync()[0]];
      });
      return out;
    });
    let s = 0,
      s2 = 0;
    for (let i = 0; i < n; i += 6) {
      s += xs[i];
      s2 += xs[i] * xs[i];
    }
    const cnt = n / 6;
    t.true(Math.abs(stats[0] - s / cnt) < 1e-4);
    t.true(Math.abs(stats[1] - (s2 / cnt - (s / cnt) ** 2)) < 1e-3);
  });
}
