import test from 'ava';
import { execFileSync } from 'node:child_process';
import { initBackend, tf } from '../../src/models/backend.js';
import { conv2dFilterGradByForwardConv, conv2dInputGradByForwardConv } from '../../src/models/conv-grad.js';
import { Rng } from '../../src/core/prng.js';
import { lastLine } from '../helpers/cli.js';

interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
}

const cases: Case[] = [];
for (const k of [1, 3, 7])
  for (const stride of [1, 2])
    for (const pad of ['same', 'valid'] as const) {
      cases.push({ n: 2, h: 11 + k, w: 9 + k, cin: 3, cout: 4, k, stride, pad });
    }

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Gradients of sum(conv2d(x, f) ⊙ weights) wrt x and f on the current backend. */
function grads(c: Case, xs: Float32Array, fs: Float32Array, seed: number): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, [c.n, c.h, c.w, c.cin]);
    const f = tf.tensor4d(fs, [c.k, c.k, c.cin, c.cout]);
    const probe = tf.conv2d(x, f, c.stride, c.pad);
    // A random cotangent so every output position weighs differently.
    const wts = tf.tensor(new Rng(seed, 'cotangent').normals(probe.size), probe.shape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), wts)));
    const [dx, df] = g([x, f]);
    return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

test.serial(
  "wasm conv2d gradients with wasm's own kernels (forward-conv filter and input gradients) match the cpu backend within 1e-5 relative error for 1×1/3×3/7×7 kernels, strides 1–2, same/valid",
  async (t) => {
    let worst = 0;
    for (const [i, c] of cases.entries()) {
      const rng = new Rng(7, `case${i}`);
      const xs = rng.normals(c.n * c.h * c.w * c.cin);
      const fs = rng.normals(c.k * c.k * c.cin * c.cout);
      await initBackend('cpu');
      const ref = grads(c, xs, fs, i);
      await initBackend('wasm', { kernels: 'wasm' });
      t.is(tf.getBackend(), 'wasm');
      t.falsy(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'wasm still lacks Conv2DBackpropFilter, so the custom path is exercised');
      const got = grads(c, xs, fs, i);
      const ex = relErr(got.dx, ref.dx);
      const ef = relErr(got.df, ref.df);
      worst = Math.max(worst, ex, ef);
      t.true(ex <= 1e-5, `dx ${JSON.stringify(c)}: ${ex}`);
      t.true(ef <= 1e-5, `dfilter ${JSON.stringify(c)}: ${ef}`);
    }
    t.log(`worst relative error over ${cases.length} cases: ${worst.toExponential(2)}`);
  },
);

test.serial("the forward-conv filter gradient equals the cpu backend's own Conv2DBackpropFilter on the same backend", async (t) => {
  await initBackend('cpu');
  const c: Case = { n: 3, h: 17, w: 13, cin: 2, cout: 5, k: 3, stride: 2, pad: 'same' };
  const rng = new Rng(11, 'direct');
  const xs = rng.normals(c.n * c.h * c.w * c.cin);
  const fs = rng.normals(c.k * c.k * c.cin * c.cout);
  const ref = grads(c, xs, fs, 99);
  const mine = tf.tidy(() => {
    const x = tf.tensor4d(xs, [c.n, c.h, c.w, c.cin]);
    const f = tf.tensor4d(fs, [c.k, c.k, c.cin, c.cout]);
    const probe = tf.conv2d(x, f, c.stride, c.pad);
    const dy = tf.tensor(new Rng(99, 'cotangent').normals(probe.size), probe.shape) as tf.Tensor4D;
    return conv2dFilterGradByForwardConv(x, dy, [c.k, c.k, c.cin, c.cout], { strides: c.stride, pad: c.pad }).dataSync() as Float32Array;
  });
  t.true(relErr(mine, ref.df) <= 1e-6, String(relErr(mine, ref.df)));
  await initBackend('wasm');
});

test.serial("the forward-conv input gradient equals the cpu backend's own Conv2DBackpropInput, including odd sizes and valid strides", async (t) => {
  await initBackend('cpu');
  for (const [i, c] of [
    { n: 2, h: 17, w: 12, cin: 3, cout: 5, k: 3, stride: 2, pad: 'same' },
    { n: 1, h: 16, w: 15, cin: 2, cout: 3, k: 7, stride: 2, pad: 'valid' },
    { n: 1, h: 10, w: 9, cin: 2, cout: 2, k: 1, stride: 2, pad: 'valid' },
  ].entries() as IterableIterator<[number, Case]>) {
    const rng = new Rng(13, `dx${i}`);
    const xs = rng.normals(c.n * c.h * c.w * c.cin);
    const fs = rng.normals(c.k * c.k * c.cin * c.cout);
    const ref = grads(c, xs, fs, 100 + i);
    const mine = tf.tidy(() => {
      const x = tf.tensor4d(xs, [c.n, c.h, c.w, c.cin]);
      const f = tf.tensor4d(fs, [c.k, c.k, c.cin, c.cout]);
      const probe = tf.conv2d(x, f, c.stride, c.pad);
      const dy = tf.tensor(new Rng(100 + i, 'cotangent').normals(probe.size), probe.shape) as tf.Tensor4D;
      return conv2dInputGradByForwardConv(dy, f, [c.n, c.h, c.w, c.cin], { strides: c.stride, pad: c.pad }).dataSync() as Float32Array;
    });
    t.true(relErr(mine, ref.dx) <= 1e-6, `${JSON.stringify(c)}: ${relErr(mine, ref.dx)}`);
  }
  await initBackend('wasm');
});

test.serial('wasm has the other gradient kernels the models need (MaxPoolGrad, Conv2DBackpropInput)', async (t) => {
  await initBackend('wasm', { kernels: 'wasm' });
  for (const k of ['MaxPoolGrad', 'Conv2DBackpropInput', 'Conv2D', 'MaxPool', 'Mean', 'Relu', 'Step']) t.truthy(tf.getKernel(k, 'wasm'), k);
});

test.serial(
  'opt-in wasm threads start in Node on the wasm kernel path (2 XNNPACK threads), train-step gradients equal the 1-thread ones, and the process exits',
  (t) => {
    const script = `
    import { initBackend, tf, wasmThreads } from './src/models/backend.ts';
    import { Rng } from './src/core/prng.ts';
    await initBackend('wasm', { threads: Number(process.env.BA_THREADS), kernels: 'wasm' });
    const r = new Rng(3, 'threads');
    const x = tf.tensor4d(r.normals(4 * 20 * 24 * 8), [4, 20, 24, 8]);
    const f = tf.tensor4d(r.normals(3 * 3 * 8 * 16), [3, 3, 8, 16]);
    const [dx, df] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a, b, 2, 'same'))))([x, f]);
    console.log(JSON.stringify({ threads: wasmThreads(), dx: Array.from(dx.dataSync().slice(0, 50)), df: Array.from(df.dataSync().slice(0, 50)) }));
  `;
    const run = (n: number) =>
      JSON.parse(
        lastLine(
          execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
            cwd: process.cwd(),
            env: { ...process.env, BA_THREADS: String(n) },
            encoding: 'utf8',
            timeout: 60_000,
          }),
        ),
      ) as { threads: number; dx: number[]; df: number[] };
    const one = run(1);
    const two = run(2);
    t.is(one.threads, 1);
    t.is(two.threads, 2);
    t.true(relErr(Float32Array.from(two.dx), Float32Array.from(one.dx)) < 1e-5);
    t.true(relErr(Float32Array.from(two.df), Float32Array.from(one.df)) < 1e-5);
  },
);
