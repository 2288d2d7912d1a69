import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { initBackend, trainingKernelThreads, tf } from '../../src/models/backend.js';
import { installNativeKernels, uninstallNativeKernels } from '../../src/models/kernels/index.js';
import { nativeTrainingKernels } from '../../src/linalg/index.js';
import { createModel, type ModelConfigInput } from '../../src/models/ban.js';
import { Rng } from '../../src/core/prng.js';
import { pyStdin } from '../helpers/python.js';
import { defined } from '../helpers/defined.js';
import { lastLine } from '../helpers/cli.js';
import { minimizeWithCost } from '../../src/models/optimizer-step.js';
import { tinyBanModel } from '../helpers/tiny-ban.js';

const nn = nativeTrainingKernels();

/** The comparisons exist only where the addon does (as in test/linalg/linalg.test.ts); the next test says when it must. */
function withAddon(title: string, fn: (t: ExecutionContext) => void | Promise<void>): void {
  if (nn) test.serial(title, fn);
}

test.serial('where OpenBLAS headers are installed the addon exports the training kernels; kernels: wasm turns them off', async (t) => {
  const canBuild = existsSync('/usr/include/lapacke.h') && existsSync('/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h');
  t.is(nn !== null, canBuild || nn !== null, 'run scripts/build-native.sh: the addon is missing or predates native/linalg/nn.c');
  await initBackend('wasm', { kernels: 'wasm' });
  t.is(trainingKernelThreads(), 0);
  t.falsy(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  stride: [number, number];
  dil: [number, number];
  pad: Pad;
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

/** Random conv cases: kernels 1–7, strides 1–3, dilations 1–2 (forward only, as tfjs's gradients need 1), same/valid/explicit pads. */
function convCases(seed: number, count: number): ConvCase[] {
  const r = new Rng(seed, 'conv-cases');
  const pick = (lo: number, hi: number) => lo + Math.floor(r.range(0, hi - lo + 1 - 1e-9));
  const out: ConvCase[] = [];
  for (let i = 0; i < count; i++) {
    const kh = pick(1, 7),
      kw = pick(1, 5);
    const stride: [number, number] = [pick(1, 3), pick(1, 3)];
    const dilated = i % 3 === 0;
    const dil: [number, number] = dilated ? [pick(1, 2), 2] : [1, 1];
    const kind = i % 4;
    const pad: Pad =
      kind === 0
        ? 'valid'
        : kind === 3
          ? [
              [0, 0],
              [pick(0, 3), pick(0, 2)],
              [pick(0, 2), pick(0, 3)],
              [0, 0],
            ]
          : 'same';
    // tfjs allows stride > 1 with dilation > 1 in neither op, so dilated cases run at stride 1.
    out.push({
      n: pick(1, 3),
      h: pick(8, 20) + kh * dil[0],
      w: pick(8, 20) + kw * dil[1],
      ci: pick(1, 9),
      co: pick(1, 12),
      kh,
      kw,
      stride: dilated ? [1, 1] : stride,
      dil,
      pad,
    });
  }
  return out;
}

/** Forward output and, when not dilated, input and filter gradients of sum(conv ⊙ random cotangent). */
function convRun(c: ConvCase, xs: Float32Array, fs: Float32Array): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, [c.n, c.h, c.w, c.ci]);
    const f = tf.tensor4d(fs, [c.kh, c.kw, c.ci, c.co]);
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.stride, c.pad, 'NHWC', c.dil);
    const y = conv(x, f);
    const out = [y.dataSync() as Float32Array];
    if (c.dil[0] === 1 && c.dil[1] === 1) {
      const wts = tf.tensor(new Rng(c.n * 31 + c.co, 'cot').normals(y.size), y.shape);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), wts)))([x, f]);
      out.push(dx.dataSync() as Float32Array, df.dataSync() as Float32Array);
    }
    return out;
  });
}

/**
 * Each case's output and gradients (convRun) on native kernels equal tfjs cpu's within 1e-5, and 2
 * threads give the bytes of 1. Inputs are drawn from Rng(seed, `${tag}${i}`). Leaves 1 thread installed.
 */
async function matchesCpuAtAnyThreads(t: ExecutionContext, cases: ConvCase[], seed: number, tag: string): Promise<void> {
  for (const [i, c] of cases.entries()) {
    const rng = new Rng(seed, `${tag}${i}`);
    const xs = rng.normals(c.n * c.h * c.w * c.ci);
    const fs = rng.normals(c.kh * c.kw * c.ci * c.co);
    await initBackend('cpu');
    const ref = convRun(c, xs, fs);
    await initBackend('wasm', { kernels: 'native', threads: 1 });
    const one = convRun(c, xs, fs);
    await initBackend('wasm', { kernels: 'native', threads: 2 });
    const two = convRun(c, xs, fs);
    ref.forEach((r, j) => {
      const what = `${['y', 'dx', 'dfilter'][j]} ${JSON.stringify(c)}`;
      t.true(relErr(one[j], r) <= 1e-5, `${what}: ${relErr(one[j], r)}`);
      t.deepEqual(Buffer.from(two[j].buffer), Buffer.from(one[j].buffer), what);
    });
  }
  await initBackend('wasm', { kernels: 'native', threads: 1 });
}

withAddon(
  'native Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter equal tfjs cpu within 1e-5 relative error, as do wasm kernels, over 24 random shapes with strides 1–3, dilations, same/valid/explicit padding',
  async (t) => {
    let worstNative = 0,
      worstWasm = 0;
    for (const [i, c] of convCases(5, 24).entries()) {
      const rng = new Rng(17, `case${i}`);
      const xs = rng.normals(c.n * c.h * c.w * c.ci);
      const fs = rng.normals(c.kh * c.kw * c.ci * c.co);
      await initBackend('cpu');
      const ref = convRun(c, xs, fs);
      await initBackend('wasm', { kernels: 'native' });
      t.true(trainingKernelThreads() >= 1);
      const nat = convRun(c, xs, fs);
      await initBackend('wasm', { kernels: 'wasm' });
      const was = convRun(c, xs, fs);
      ref.forEach((r, j) => {
        const en = relErr(nat[j], r);
        const ew = relErr(was[j], r);
        worstNative = Math.max(worstNative, en);
        worstWasm = Math.max(worstWasm, ew);
        t.true(en <= 1e-5, `native ${['y', 'dx', 'dfilter'][j]} ${JSON.stringify(c)}: ${en}`);
        t.true(ew <= 1e-5, `wasm ${['y', 'dx', 'dfilter'][j]} ${JSON.stringify(c)}: ${ew}`);
      });
    }
    t.log(`worst relative error vs cpu: native ${worstNative.toExponential(2)}, wasm ${worstWasm.toExponential(2)}`);
  },
);

withAddon(
  'one-channel inputs (the direct, im2col-free paths: register-blocked rows at column stride 1, tap-wise otherwise) with 1–64 output channels and batches split into several tasks equal tfjs cpu within 1e-5, and 2 threads give the bits of 1',
  async (t) => {
    const cases: ConvCase[] = [4, 5, 8, 16, 32, 64, 1, 6, 8, 3].map((co, i) => ({
      n: 12 + i,
      h: 9 + i,
      w: 23 - i,
      ci: 1,
      co,
      kh: [3, 7, 3, 1, 5, 3, 2, 3, 5, 1][i],
      kw: [5, 7, 3, 4, 5, 1, 3, 9, 2, 6][i],
      stride: (i >= 6 ? [1 + (i % 2), 1] : i % 3 === 1 ? [2, 2] : i % 3 === 2 ? [1, 2] : [1, 1]) as [number, number],
      dil: [1, 1] as [number, number],
      pad: (i % 2 === 0 ? 'same' : 'valid') as Pad,
    }));
    await matchesCpuAtAnyThreads(t, cases, 23, 'direct');
  },
);

withAddon(
  'small images with many channels (the whole batch as one product, split by output columns) equal tfjs cpu within 1e-5 for 3×3, strided and 1×1 convolutions, and 2 threads give the bits of 1',
  async (t) => {
    // ho·wo·images per chunk under 64 rows with more than one chunk: BAN's last area at 2×4.
    const cases: ConvCase[] = [
      { n: 16, h: 2, w: 4, ci: 10, co: 70, kh: 3, kw: 3, stride: [1, 1], dil: [1, 1], pad: 'same' },
      { n: 12, h: 4, w: 6, ci: 9, co: 5, kh: 3, kw: 3, stride: [2, 2], dil: [1, 1], pad: 'same' },
      { n: 16, h: 3, w: 2, ci: 7, co: 130, kh: 1, kw: 1, stride: [1, 1], dil: [1, 1], pad: 'valid' },
    ];
    await matchesCpuAtAnyThreads(t, cases, 41, 'wide');
  },
);

withAddon(
  'stride-1 3×3 convolutions with many channels (Winograd F(2×2, 3×3): forward, input and filter gradients) equal tfjs cpu within 1e-5 for odd sizes, channel counts across blocks, same/valid/explicit padding, images in several chunks, and 2 threads give the bits of 1',
  async (t) => {
    const cases: ConvCase[] = [
      { n: 4, h: 9, w: 10, ci: 70, co: 33, kh: 3, kw: 3, stride: [1, 1], dil: [1, 1], pad: 'same' },
      { n: 5, h: 12, w: 7, ci: 32, co: 65, kh: 3, kw: 3, stride: [1, 1], dil: [1, 1], pad: 'valid' },
      // Over 512 tiles per image: one image per chunk of transforms, two chunks.
      { n: 2, h: 34, w: 62, ci: 32, co: 32, kh: 3, kw: 3, stride: [1, 1], dil: [1, 1], pad: 'same' },
      {
        n: 5,
        h: 8,
        w: 8,
        ci: 40,
        co: 36,
        kh: 3,
        kw: 3,
        stride: [1, 1],
        dil: [1, 1],
        pad: [
          [0, 0],
          [2, 0],
          [0, 1],
          [0, 0],
        ],
      },
    ];
    await matchesCpuAtAnyThreads(t, cases, 43, 'winograd');
  },
);

withAddon('a dilated, explicitly padded, strided native conv equals a direct numpy sum over taps within 1e-5', async (t) => {
  await initBackend('wasm', { kernels: 'native' });
  const [n, h, w, ci, co, kh, kw] = [2, 13, 11, 3, 4, 3, 2];
  const rng = new Rng(23, 'numpy');
  const xs = rng.normals(n * h * w * ci);
  const fs = rng.normals(kh * kw * ci * co);
  const cases: { stride: [number, number]; dil: [number, number]; pad: [number, number, number, number] }[] = [
    { stride: [1, 1], dil: [2, 3], pad: [2, 1, 0, 3] },
    { stride: [2, 3], dil: [1, 1], pad: [1, 0, 2, 2] },
  ];
  for (const c of cases) {
    const got = tf.tidy(
      () =>
        tf
          .conv2d(
            tf.tensor4d(xs, [n, h, w, ci]),
            tf.tensor4d(fs, [kh, kw, ci, co]),
            c.stride,
            [
              [0, 0],
              [c.pad[0], c.pad[1]],
              [c.pad[2], c.pad[3]],
              [0, 0],
            ],
            'NHWC',
            c.dil,
          )
          .dataSync() as Float32Array,
    );
    const ref = Float32Array.from(
      pyStdin<number[]>(
        `
import sys, json, numpy as np
a = json.load(sys.stdin)
x = np.array(a['x'], np.float64).reshape(${n}, ${h}, ${w}, ${ci}); f = np.array(a['f'], np.float64).reshape(${kh}, ${kw}, ${ci}, ${co})
(sh, sw), (dh, dw), (pt, pb, pl, pr) = a['stride'], a['dil'], a['pad']
xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
ho = (xp.shape[1] - dh * (${kh} - 1) - 1) // sh + 1; wo = (xp.shape[2] - dw * (${kw} - 1) - 1) // sw + 1
y = np.zeros((${n}, ho, wo, ${co}))
for i in range(${kh}):
    for j in range(${kw}):
        patch = xp[:, i * dh : i * dh + sh * (ho - 1) + 1 : sh, j * dw : j * dw + sw * (wo - 1) + 1 : sw, :]
        y += patch @ f[i, j]
print(json.dumps(y.ravel().tolist()))`,
        { x: Array.from(xs), f: Array.from(fs), ...c },
      ),
    );
    t.is(got.length, ref.length);
    t.true(relErr(got, ref) <= 1e-5, `${JSON.stringify(c)}: ${relErr(got, ref)}`);
  }
});

withAddon(
  'native MaxPoolGrad routes gradients exactly as tfjs cpu and sums them within 1e-6, including all-negative windows at the padded border, ReLU ties (the gradient goes to the first maximal input) and tiling 1×4 windows',
  async (t) => {
    const shape: [number, number, number, number] = [3, 11, 14, 5];
    const xs = new Rng(29, 'pool').normals(shape[0] * shape[1] * shape[2] * shape[3]);
    for (let i = 0; i < xs.length; i += 3) xs[i] = Math.max(0, xs[i]); // ties at 0
    const run = (filter: number | readonly [number, number], stride: number | readonly [number, number], pad: 'same' | 'valid') =>
      tf.tidy(() => {
        const f: number | [number, number] = typeof filter === 'number' ? filter : [filter[0], filter[1]];
        const st: number | [number, number] = typeof stride === 'number' ? stride : [stride[0], stride[1]];
        const x = tf.tensor4d(xs, shape);
        const dy = tf.tensor(new Rng(31, 'dy').normals(tf.maxPool(x, f, st, pad).size), tf.maxPool(x, f, st, pad).shape);
        return tf
          .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, f, st, pad), dy)))(x)
          .dataSync() as Float32Array;
      });
    for (const [filter, stride, pad] of [
      [3, 2, 'same'],
      [2, 2, 'valid'],
      [3, 1, 'same'],
      // The EEG encoder's time pooling: windows that tile each row, a remainder column left uncovered.
      [[1, 4], [1, 4], 'valid'],
    ] as const) {
      await initBackend('cpu');
      const ref = run(filter, stride, pad);
      await initBackend('wasm', { kernels: 'native' });
      const got = run(filter, stride, pad);
      // Same routing (which inputs receive gradient) exactly; sums of overlapping windows to float rounding.
      t.deepEqual(
        Array.from(got, (v) => v !== 0),
        Array.from(ref, (v) => v !== 0),
        `routing, pool ${filter}/${stride} ${pad}`,
      );
      t.true(relErr(got, ref) <= 1e-6, `pool ${filter}/${stride} ${pad}: ${relErr(got, ref)}`);
    }
  },
);

withAddon('native BatchMatMul equals tfjs cpu within 1e-6 for transposed operands and a broadcast batch', async (t) => {
  const r = new Rng(37, 'mm');
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [7, 5], b: [5, 9], ta: false, tb: false },
    { a: [5, 7], b: [5, 9], ta: true, tb: false },
    { a: [7, 5], b: [9, 5], ta: false, tb: true },
    { a: [4, 5, 7], b: [4, 9, 5], ta: true, tb: true },
    { a: [3, 6, 4], b: [4, 2], ta: false, tb: false },
    { a: [6, 4], b: [3, 4, 2], ta: false, tb: false },
  ];
  for (const c of cases) {
    const av = r.normals(c.a.reduce((p, v) => p * v, 1));
    const bv = r.normals(c.b.reduce((p, v) => p * v, 1));
    const run = () => tf.tidy(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb).dataSync() as Float32Array);
    await initBackend('cpu');
    const ref = run();
    await initBackend('wasm', { kernels: 'native' });
    const got = run();
    t.true(relErr(got, ref) <= 1e-6, `${JSON.stringify(c)}: ${relErr(got, ref)}`);
  }
});

withAddon('the addon refuses an output view shorter than the geometry asks (RangeError, nothing written)', (t) => {
  const geom = Int32Array.of(1, 4, 4, 1, 3, 3, 2, 1, 1, 1, 1, 1, 1, 4, 4);
  const y = new Float32Array(31).fill(7); // needs 32
  t.throws(() => defined(nn, 'the native training kernels').conv2d(new Float32Array(16), new Float32Array(18), y, geom, 1), { instanceOf: RangeError });
  t.true(y.every((v) => v === 7));
});

test.serial('BRAINALIGN_LINALG=portable (no addon) trains on wasm kernels: the portable fallback is chosen at init', (t) => {
  const script = `
    import { initBackend, trainingKernelThreads, tf } from './src/models/backend.ts';
    await initBackend('wasm');
    console.log(JSON.stringify({ threads: trainingKernelThreads(), filterGrad: Boolean(tf.getKernel('Conv2DBackpropFilter', 'wasm')) }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: { ...process.env, BRAINALIGN_LINALG: 'portable' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.deepEqual(JSON.parse(lastLine(out)), { threads: 0, filterGrad: false });
});

const tiny: ModelConfigInput = { ...tinyBanModel(2, 1), nClasses: 4 };

/** Six Adam steps of a tiny BAN on a fixed batch; returns the losses and the final first-conv weights. */
function trainSteps(): { losses: number[]; w: Float32Array } {
  const m = createModel(tiny, 3);
  const x = tf.tensor4d(new Rng(41, 'x').normals(8 * 32 * 32, -30, 10), [8, 32, 32, 1]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
  const opt = tf.train.adam(1e-2);
  const losses: number[] = [];
  for (let s = 0; s < 6; s++) {
    const l = minimizeWithCost(opt, () => tf.losses.softmaxCrossEntropy(y, m.forward(x, { training: true }).logits) as tf.Scalar);
    losses.push(l.dataSync()[0]);
    l.dispose();
  }
  const w = defined(m.params.get('a1/conv1'), 'the a1/conv1 weights').dataSync() as Float32Array;
  opt.dispose();
  tf.dispose([x, y]);
  m.dispose();
  return { losses, w: Float32Array.from(w) };
}

/** Gradients of the tiny BAN's loss for every trainable parameter at initialisation. */
function initialGrads(): Float32Array[] {
  const m = createModel(tiny, 3);
  const out = tf.tidy(() => {
    const x = tf.tensor4d(new Rng(41, 'x').normals(8 * 32 * 32, -30, 10), [8, 32, 32, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
    const r = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.forward(x, { training: true }).logits) as tf.Scalar, [...m.params.values()]);
    return Object.values(r.grads).map((g) => g.dataSync() as Float32Array);
  });
  m.dispose();
  return out;
}

withAddon("a tiny BAN's gradients for all parameters agree between native and wasm kernels within 1e-4 relative error", async (t) => {
  await initBackend('wasm', { kernels: 'wasm' });
  const ref = initialGrads();
  await initBackend('wasm', { kernels: 'native' });
  const got = initialGrads();
  t.is(got.length, ref.length);
  const worst = Math.max(...ref.map((r, i) => relErr(got[i], r)));
  t.true(worst <= 1e-4, `worst parameter gradient relative error ${worst}`);
  t.log(`${ref.length} parameters, worst relative error ${worst.toExponential(2)}`);
});

withAddon(
  'a tiny BAN trained 6 Adam steps follows the same loss trajectory on native and wasm kernels (step 0 within 1e-5, six steps within 2% relative), and repeats byte for byte on native with the same seed',
  async (t) => {
    await initBackend('wasm', { kernels: 'wasm' });
    const wasm = trainSteps();
    await initBackend('wasm', { kernels: 'native', threads: 1 });
    const a = trainSteps();
    const b = trainSteps();
    t.true(a.losses[5] < a.losses[0], `loss falls: ${a.losses.join(', ')}`);
    t.log(
      `losses native ${a.losses.map((l) => l.toFixed(5)).join(' ')} | wasm ${wasm.losses.map((l) => l.toFixed(5)).join(' ')}; weights rel. diff ${relErr(a.w, wasm.w).toExponential(2)}`,
    );
    // Before any update the two paths differ by float rounding only; Adam's normalised steps then
    // amplify rounding in near-zero gradient components, so later steps get a wider (still tight) band.
    t.true(Math.abs(a.losses[0] - wasm.losses[0]) <= 1e-5 * wasm.losses[0], `step 0: native ${a.losses[0]} wasm ${wasm.losses[0]}`);
    a.losses.forEach((l, i) => t.true(Math.abs(l - wasm.losses[i]) <= 2e-2 * Math.abs(wasm.losses[i]), `step ${i}: native ${l} wasm ${wasm.losses[i]}`));
    t.deepEqual(a.losses, b.losses);
    t.deepEqual(Buffer.from(a.w.buffer), Buffer.from(b.w.buffer));
  },
);

withAddon('native kernels with 2 OpenBLAS threads train the tiny BAN to the same bytes as with 1 (sgemm splits the output, not the sums)', async (t) => {
  await initBackend('wasm', { kernels: 'native', threads: 1 });
  const one = trainSteps();
  await initBackend('wasm', { kernels: 'native', threads: 2 });
  t.is(trainingKernelThreads(), 2);
  const two = trainSteps();
  await initBackend('wasm', { kernels: 'native', threads: 1 });
  t.deepEqual(two.losses, one.losses);
  t.deepEqual(Buffer.from(two.w.buffer), Buffer.from(one.w.buffer));
});

withAddon(
  "uninstalling restores wasm's own kernels (Conv2DBackpropFilter, fused batch norm, the fused BN-ReLU-pool tail and fused Adam absent again) and reinstalling brings the native ones back",
  async (t) => {
    await initBackend('wasm');
    const nativeConv = tf.getKernel('Conv2D', 'wasm');
    uninstallNativeKernels();
    t.falsy(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
    t.falsy(tf.getKernel('BrainalignBatchNormTrain', 'wasm'));
    t.falsy(tf.getKernel('BrainalignAdam', 'wasm'));
    t.falsy(tf.getKernel('BrainalignBatchNormReluPool', 'wasm'));
    t.not(tf.getKernel('Conv2D', 'wasm')?.kernelFunc, nativeConv?.kernelFunc);
    t.true(installNativeKernels(1));
    t.truthy(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
    t.truthy(tf.getKernel('BrainalignAdam', 'wasm'));
    t.truthy(tf.getKernel('BrainalignBatchNormReluPoolGrad', 'wasm'));
  },
);

withAddon(
  'fused native batch norm equals the op-by-op closed form on wasm kernels within 1e-5 (output, batch statistics for the running averages, and the three gradients), with inputs far from zero (log-mel dB)',
  async (t) => {
    const { batchNormTrain } = await import('../../src/models/batchnorm.js');
    const shape: [number, number, number, number] = [4, 9, 7, 12];
    const size = shape.reduce((p, v) => p * v, 1);
    const r = new Rng(43, 'bn');
    const xs = r.normals(size, -40, 15);
    const gs = r.normals(12, 1, 0.3);
    const bs = r.normals(12);
    const ws = r.normals(size);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, shape);
        const g = tf.tensor1d(gs);
        const b = tf.tensor1d(bs);
        const w = tf.tensor4d(ws, shape);
        const stats: Float32Array[] = [];
        const y = batchNormTrain(x, g, b, 1e-5, (m, v) => {
          stats.push(m.dataSync() as Float32Array, v.dataSync() as Float32Array);
        });
        const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTrain(a as tf.Tensor4D, c as tf.Tensor1D, d as tf.Tensor1D, 1e-5), w)),
        )([x, g, b]);
        return [y.dataSync() as Float32Array, ...stats, ...grads.map((q) => q.dataSync() as Float32Array)];
      });
    await initBackend('wasm', { kernels: 'wasm' });
    t.falsy(tf.getKernel('BrainalignBatchNormTrain', 'wasm'));
    const ref = run();
    await initBackend('wasm', { kernels: 'native' });
    t.truthy(tf.getKernel('BrainalignBatchNormTrain', 'wasm'));
    const got = run();
    t.is(got.length, 6);
    ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => t.true(relErr(got[i], ref[i]) <= 1e-5, `${name}: ${relErr(got[i], ref[i])}`));
  },
);

withAddon('Identity on native kernels shares the input buffer: values equal, and the output outlives the disposed input', async (t) => {
  await initBackend('wasm', { kernels: 'native' });
  const buffers = () => tf.engine().backend.numDataIds();
  const before = buffers();
  const x = tf.tensor1d(Float32Array.from([1, -2, 3.5]));
  const y = tf.engine().runKernel('Identity', { x }, {}) as tf.Tensor;
  t.is(buffers() - before, 1, 'one heap buffer for input and output, not two');
  x.dispose();
  t.deepEqual(Array.from(y.dataSync()), [1, -2, 3.5]);
  y.dispose();
  t.is(buffers(), before);
});
