import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, tf } from '../../src/models/backend.js';
import { createModel, ablateConfig, cnnBaselineConfig, countParameters, parseModelConfig, type ModelConfigInput } from '../../src/models/ban.js';
import { saveCheckpoint, readCheckpoint } from '../../src/models/checkpoint.js';
import { Rng } from '../../src/core/prng.js';
import { defined } from '../helpers/defined.js';
import { minimizeWithCost } from '../../src/models/optimizer-step.js';
import { tinyBanModel } from '../helpers/tiny-ban.js';

const tiny: ModelConfigInput = { ...tinyBanModel(3), nClasses: 4 };

function batch(n: number, seed: number): tf.Tensor4D {
  return tf.tensor4d(new Rng(seed, 'x').normals(n * 32 * 32, -30, 10), [n, 32, 32, 1]);
}

test.before(async () => {
  await initBackend('wasm');
});

test.serial('BAN areas have the CORnet-S shapes: A1 /4, each area /2, one output per iteration', (t) => {
  const m = createModel(tiny, 1);
  tf.tidy(() => {
    const r = m.forward(batch(3, 1), { collect: true });
    t.deepEqual(r.logits.shape, [3, 4]);
    t.deepEqual(
      r.acts.map((a) => `${a.area}${a.iteration}:${a.tensor.shape.join('x')}`),
      ['a10:3x8x8x4', 'belt0:3x4x4x8', 'belt1:3x4x4x8', 'pb0:3x2x2x8', 'pb1:3x2x2x8', 'pb2:3x2x2x8', 't0:3x1x1x8', 't1:3x1x1x8'],
    );
    t.deepEqual(
      m.areaIterations().map((a) => `${a.area}${a.iteration}`),
      r.acts.map((a) => `${a.area}${a.iteration}`),
    );
  });
  m.dispose();
});

test.serial('recurrent areas really iterate: each iteration changes the area output, with weights shared and BN per iteration', (t) => {
  const m = createModel(tiny, 2);
  // conv weights once per area, BN params per iteration
  t.true(m.params.has('pb/conv2') && !m.params.has('pb/t1/conv2'));
  t.true(m.params.has('pb/t2/bn1/gamma') && !m.params.has('pb/t3/bn1/gamma'));
  tf.tidy(() => {
    const r = m.forward(batch(4, 2), { collect: true });
    for (const area of ['belt', 'pb', 't']) {
      const its = r.acts.filter((a) => a.area === area);
      for (let i = 1; i < its.length; i++) {
        const d = tf.max(tf.abs(tf.sub(its[i].tensor, its[i - 1].tensor))).dataSync()[0];
        t.true(d > 1e-3, `${area} iteration ${i} vs ${i - 1}: max |diff| ${d}`);
      }
    }
  });
  m.dispose();
});

test.serial('ablations by config: no-recurrence gives one iteration per area, areas:1 keeps one area, cnn baseline is feed-forward', (t) => {
  const nr = createModel(ablateConfig(tiny, 'no-recurrence'), 3);
  t.deepEqual(
    nr.areaIterations().map((a) => a.area),
    ['a1', 'belt', 'pb', 't'],
  );
  const one = createModel(ablateConfig(tiny, 'areas:1'), 3);
  t.deepEqual(
    one.areaIterations().map((a) => a.area),
    ['a1', 'belt', 'belt'],
  );
  const cnn = createModel(cnnBaselineConfig(tiny), 3);
  t.deepEqual(
    cnn.areaIterations().map((a) => `${a.area}${a.iteration}`),
    ['a10', 'belt0', 'pb0', 't0'],
  );
  const ns = createModel(ablateConfig(tiny, 'no-skip'), 3);
  tf.tidy(() => {
    const x = batch(2, 3);
    const a = createModel(tiny, 3);
    // Same seed, same weights: only the missing skip path changes the output.
    const d = tf.max(tf.abs(tf.sub(a.forward(x).logits, ns.forward(x).logits))).dataSync()[0];
    t.true(d > 1e-4);
    a.dispose();
  });
  t.throws(() => parseModelConfig({ areas: [{ name: 'a1', width: 4, times: 1 }] }));
  // The analytic count matches the built models; the CNN is sized to the BAN within 10 %.
  t.is(countParameters(parseModelConfig(tiny)), createModel(tiny, 1).parameterCount());
  t.is(countParameters(cnn.config), cnn.parameterCount());
  const banDefault = countParameters(parseModelConfig({}));
  const cnnDefault = countParameters(cnnBaselineConfig({}));
  t.log(`default BAN ${banDefault} parameters, CNN baseline ${cnnDefault}`);
  t.true(Math.abs(cnnDefault - banDefault) / banDefault < 0.1);
  for (const m of [nr, one, cnn, ns]) m.dispose();
});

test.serial('BAN overfits 8 random windows of 4 classes: training loss < 0.05 within 200 Adam steps', (t) => {
  const m = createModel(tiny, 4);
  const x = batch(8, 4);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
  const opt = tf.train.adam(0.01);
  let loss = Infinity;
  let steps = 0;
  while (steps < 200 && loss > 0.05) {
    const l = minimizeWithCost(opt, () => tf.losses.softmaxCrossEntropy(y, m.forward(x, { training: true }).logits) as tf.Scalar);
    loss = l.dataSync()[0];
    l.dispose();
    steps++;
  }
  t.log(`loss ${loss.toFixed(4)} after ${steps} steps`);
  t.true(loss < 0.05);
  opt.dispose();
  tf.dispose([x, y]);
  m.dispose();
});

test.serial('checkpoint round trip is bit-exact, and the same seed gives byte-identical weights.bin', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-ckpt-'));
  const m = createModel(tiny, 5);
  // Move BN running statistics off their initial values so they are tested too.
  tf.tidy(() => {
    m.forward(batch(4, 5), { training: true });
  });
  saveCheckpoint(path.join(dir, 'a'), m, { epoch: 3, seed: 5 });
  const { model: back, meta } = readCheckpoint(path.join(dir, 'a'));
  t.is(meta.epoch, 3);
  const x = batch(3, 6);
  const y1 = tf.tidy(() => m.forward(x).logits.dataSync());
  const y2 = tf.tidy(() => back.forward(x).logits.dataSync());
  t.deepEqual(Array.from(y2), Array.from(y1));
  saveCheckpoint(path.join(dir, 'b'), back, { epoch: 3, seed: 5 });
  for (const f of ['weights.bin', 'model.json']) {
    t.true(fs.readFileSync(path.join(dir, 'a', f)).equals(fs.readFileSync(path.join(dir, 'b', f))), f);
  }
  const again = createModel(tiny, 5);
  tf.tidy(() => {
    again.forward(batch(4, 5), { training: true });
  });
  saveCheckpoint(path.join(dir, 'c'), again, { epoch: 3, seed: 5 });
  t.true(fs.readFileSync(path.join(dir, 'a', 'weights.bin')).equals(fs.readFileSync(path.join(dir, 'c', 'weights.bin'))));
  const other = createModel(tiny, 6);
  saveCheckpoint(path.join(dir, 'd'), other, {});
  t.false(fs.readFileSync(path.join(dir, 'a', 'weights.bin')).equals(fs.readFileSync(path.join(dir, 'd', 'weights.bin'))));
  fs.writeFileSync(path.join(dir, 'd', 'weights.bin'), Buffer.alloc(12));
  const err = t.throws(() => readCheckpoint(path.join(dir, 'd')));
  t.regex(defined(err, 'the thrown error').message, /bytes/);
  for (const mm of [m, back, again, other]) mm.dispose();
  x.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
