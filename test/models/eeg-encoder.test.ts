/**
 * The PredANN EEG encoder learns and is reproducible: on windows whose class
 * is a 4, 8 or 12 Hz burst on one channel in noise, 20 epochs reach ≥ 90 %
 * accuracy on fresh windows; the same seed gives byte-identical predictions.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { initBackend, tf } from '../../src/models/backend.js';
import { predictEegEncoder, refreshBatchNorm, trainEegEncoder } from '../../src/models/predann-train.js';
import { eegEncoderConfigSchema } from '../../src/models/eeg-encoder-config.js';

const shape = { nCh: 8, nT: 64, nClasses: 3, targetDim: 4 };

function makeSet(n: number, rng: Rng): { x: Float32Array; labels: Int32Array; targets: Float32Array } {
  const x = rng.normals(n * shape.nCh * shape.nT, 0, 0.5);
  const labels = new Int32Array(n);
  const targets = new Float32Array(n * shape.targetDim);
  for (let i = 0; i < n; i++) {
    const y = i % 3;
    labels[i] = y;
    const f = [4, 8, 12][y];
    const ph = rng.uniform() * 2 * Math.PI;
    for (let t = 0; t < shape.nT; t++) x[(i * shape.nCh + 2) * shape.nT + t] += Math.sin((2 * Math.PI * f * t) / 32 + ph);
    targets[i * shape.targetDim + y] = 1;
  }
  return { x, labels, targets };
}

test.before(async () => {
  await initBackend('wasm');
});

test('a class-specific rhythm is learned (≥ 90 % on fresh windows) and the same seed gives identical predictions', (t) => {
  const cfg = eegEncoderConfigSchema.parse({ epochs: 20, lr: 3e-3, batchSize: 16, filters: [4, 8], kernel: [1, 9], poolTime: 2 });
  const train = makeSet(96, new Rng(1, 'train'));
  const test_ = makeSet(60, new Rng(2, 'test'));
  const a = trainEegEncoder(train, shape, cfg, 5);
  const pa = predictEegEncoder(a.model, test_.x, 60);
  let correct = 0;
  for (let i = 0; i < 60; i++) {
    const row = pa.subarray(i * 3, i * 3 + 3);
    if (row.indexOf(Math.max(...row)) === test_.labels[i]) correct++;
  }
  t.true(correct / 60 >= 0.9, `accuracy ${correct}/60`);
  t.true(a.history[a.history.length - 1].loss < a.history[0].loss);
  const b = trainEegEncoder(train, shape, cfg, 5);
  const pb = predictEegEncoder(b.model, test_.x, 60);
  t.deepEqual(Buffer.from(pa.buffer), Buffer.from(pb.buffer));
  a.model.dispose();
  b.model.dispose();
});

test('after training, refreshed batch-norm statistics make eval-mode predictions match training-mode (batch-statistics) ones', (t) => {
  const cfg = eegEncoderConfigSchema.parse({ epochs: 6, lr: 3e-3, batchSize: 16, filters: [4, 8], kernel: [1, 9], poolTime: 2 });
  const train = makeSet(96, new Rng(1, 'train'));
  const a = trainEegEncoder(train, shape, cfg, 7);
  const n = 96;
  // Batch statistics of all 96 training windows at once; momentum 0 leaves the running statistics untouched.
  const trainMode = tf.tidy(
    () => tf.logSoftmax(a.model.forward(tf.tensor4d(train.x, [n, shape.nCh, shape.nT, 1]), true, undefined, 0).logits).dataSync() as Float32Array,
  );
  const evalMode = predictEegEncoder(a.model, train.x, n);
  const acc = (p: Float32Array): number => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(p.subarray(i * 3, i * 3 + 3));
      if (row.indexOf(Math.max(...row)) === train.labels[i]) c++;
    }
    return c / n;
  };
  t.true(Math.abs(acc(trainMode) - acc(evalMode)) <= 0.03, `training-mode ${acc(trainMode)} vs eval-mode ${acc(evalMode)}`);
  let maxDiff = 0;
  for (let i = 0; i < trainMode.length; i++) maxDiff = Math.max(maxDiff, Math.abs(Math.exp(trainMode[i]) - Math.exp(evalMode[i])));
  t.true(maxDiff < 0.1, `max |Δp| ${maxDiff}`);
  // One refresh pass over a single batch sets the running mean to that batch's mean exactly (cumulative average, k = 1).
  refreshBatchNorm(a.model, train.x, n, n);
  const again = predictEegEncoder(a.model, train.x, n);
  let d1 = 0;
  for (let i = 0; i < again.length; i++) d1 = Math.max(d1, Math.abs(Math.exp(trainMode[i]) - Math.exp(again[i])));
  t.true(d1 < 0.02, `single-batch refresh, max |Δp| ${d1} (only the n/(n−1) variance factor differs)`);
  a.model.dispose();
});

test('weight decay > 0 trains (no empty penalty sum) and leaves smaller weights than no decay', (t) => {
  const base = { epochs: 3, lr: 3e-3, batchSize: 16, filters: [4, 8], kernel: [1, 9], poolTime: 2 };
  const train = makeSet(48, new Rng(1, 'train'));
  const norm = (wd: number): number => {
    const r = trainEegEncoder(train, shape, eegEncoderConfigSchema.parse({ ...base, weightDecay: wd }), 3);
    t.true(r.history.every((h) => Number.isFinite(h.loss)));
    const s = r.model.vars.decayed().reduce((acc, v) => acc + tf.tidy(() => tf.sum(tf.square(v)).dataSync()[0]), 0);
    t.is(r.model.vars.decayed().length, 6, 'two conv kernels and the two weight matrices of each head');
    r.model.dispose();
    return s;
  };
  const plain = norm(0);
  const decayed = norm(0.05);
  t.true(decayed < plain, `Σw² ${decayed} with decay vs ${plain} without`);
});
