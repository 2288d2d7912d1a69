import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { initBackend, tf } from '../../src/models/backend.js';
import { createModel, type ModelConfigInput } from '../../src/models/ban.js';
import { modelActivations, logMelFeatures, modulationFeatures, userModelActivations, pcaReduce, type Stimulus } from '../../src/models/activations.js';
import { Rng } from '../../src/core/prng.js';

const FR = 22050 / 512; // frames per second

function stim(id: string, nMels: number, nFrames: number, f: (m: number, t: number) => number): Stimulus {
  const data = new Float32Array(nMels * nFrames);
  for (let m = 0; m < nMels; m++) for (let t = 0; t < nFrames; t++) data[m * nFrames + t] = f(m, t);
  return { id, mel: { data, nMels, nFrames, frameRate: FR }, duration: nFrames / FR };
}

const tiny: ModelConfigInput = {
  nMels: 32,
  frames: 32,
  nClasses: 3,
  a1Width: 4,
  scale: 2,
  fcHidden: [],
  areas: [
    { name: 'belt', width: 8, times: 2 },
    { name: 'pb', width: 8, times: 3 },
  ],
};

test.before(async () => {
  await initBackend('wasm');
});

test('log-mel features: planted ramp over time → each TR window holds the mean frame index of the frames centred in it', (t) => {
  const s = stim('ramp', 8, 200, (m, f) => f + 1000 * m);
  const rate = 0.5; // TR 2 s
  const fs1 = logMelFeatures([s], { rate, freqBins: 2 });
  t.is(fs1.nFeatures, 2);
  const nT = Math.floor(s.duration * rate);
  t.is(fs1.stimuli[0].nT, nT);
  for (let k = 0; k < nT; k++) {
    const frames: number[] = [];
    for (let f = 0; f < 200; f++) if (Math.floor((f / FR) * rate) === k) frames.push(f);
    const meanF = frames.reduce((a, b) => a + b, 0) / frames.length;
    // bin 0 = bands 0..3 (mean band 1.5), bin 1 = bands 4..7 (mean 5.5)
    t.true(Math.abs(fs1.stimuli[0].data[k * 2] - (meanF + 1500)) < 1e-2);
    t.true(Math.abs(fs1.stimuli[0].data[k * 2 + 1] - (meanF + 5500)) < 1e-2);
  }
  t.true(Math.abs(fs1.clipMean[0] - (99.5 + 1500)) < 1e-2);
});

test('a rate faster than the columns holds the nearest column (EEG-rate sampling of a coarse map)', (t) => {
  const s = stim('ramp', 2, 10, (_m, f) => f);
  const out = logMelFeatures([s], { rate: 4 * FR, freqBins: 1 }); // 4 timepoints per frame
  t.is(out.stimuli[0].nT, 40);
  const d = out.stimuli[0].data;
  t.is(d[0], 0);
  t.is(d[5], 1); // timepoint 5 covers [5/4, 6/4) frames: frame 1's centre time is 1/FR, in timepoint 4; 5 takes the nearest
  t.is(d[39], 9);
});

test('BAN activations: one space per area and iteration, clip mean equals the direct forward pass averaged over time', (t) => {
  const model = createModel(tiny, 3);
  const rng = new Rng(5, 'stim');
  const s = stim('x', 32, 64, () => rng.normal() * 10 - 40);
  const spaces = modelActivations(model, [s], { rate: 2, freqBins: 100 });
  t.deepEqual(
    spaces.map((sp) => sp.name),
    ['a1.0', 'belt.0', 'belt.1', 'pb.0', 'pb.1', 'pb.2'],
  );
  const direct = tf.tidy(() =>
    model.forward(tf.tensor4d(s.mel.data, [1, 32, 64, 1]), { collect: true }).acts.map((a) => {
      const [, H, , C] = a.tensor.shape;
      // mean over time, then features ordered channel-major: [C, H]
      return { H, C, v: tf.transpose(tf.mean(a.tensor, 2), [0, 2, 1]).dataSync() as Float32Array };
    }),
  );
  spaces.forEach((sp, i) => {
    t.is(sp.nFeatures, direct[i].H * direct[i].C, sp.name);
    let maxErr = 0;
    for (let j = 0; j < sp.nFeatures; j++) maxErr = Math.max(maxErr, Math.abs(sp.clipMean[j] - direct[i].v[j]));
    t.true(maxErr < 1e-4, `${sp.name}: ${maxErr}`);
    t.is(sp.stimuli[0].nT, Math.floor((64 / FR) * 2));
  });
  const last = modelActivations(model, [s], { rate: 2, freqBins: 100, iterations: 'last' });
  t.deepEqual(
    last.map((sp) => sp.name),
    ['a1', 'belt', 'pb'],
  );
  t.deepEqual(Array.from(last[2].clipMean), Array.from(spaces[5].clipMean));
  // iterations of a recurrent area are different feature spaces
  const a = spaces[3].clipMean,
    b = spaces[4].clipMean;
  t.true(a.some((v, j) => Math.abs(v - b[j]) > 1e-3));
  model.dispose();
});

test('modulation filterbank: a 4 Hz upward ripple drives the 4 Hz upward channel far more than the downward or 16 Hz channels', (t) => {
  const bpo = 8;
  const scale = 0.5; // cycles/octave → 1/16 cycles per band
  const up = stim('up', 32, 260, (m, f) => 10 * Math.cos(2 * Math.PI * ((4 * f) / FR - (scale / bpo) * m)));
  const down = stim('down', 32, 260, (m, f) => 10 * Math.cos(2 * Math.PI * ((4 * f) / FR + (scale / bpo) * m)));
  const rates = [4, 16];
  const scales = [0.5];
  const sp = modulationFeatures([up, down], { rate: 1, freqBins: 1, rates, scales, bandsPerOctave: bpo });
  t.is(sp.nFeatures, 4); // (4 Hz up, 4 Hz down, 16 Hz up, 16 Hz down) × 1 bin
  const [u4, d4, u16, d16] = Array.from(sp.clipMean.subarray(0, 4));
  t.log({ u4, d4, u16, d16 });
  t.true(u4 > 10 * d4 && u4 > 10 * u16 && u4 > 10 * d16);
  const [u4b, d4b] = Array.from(sp.clipMean.subarray(4, 6));
  t.true(d4b > 10 * u4b, 'the downward ripple selects the downward channel');
  // a constant log-mel has (near) zero modulation energy
  const flat = modulationFeatures([stim('flat', 32, 100, () => -30)], { rate: 1, freqBins: 1, rates, scales, bandsPerOctave: bpo });
  t.true(flat.clipMean.every((v) => v < 1e-6 * u4));
});

test('PCA fitted on training stimuli only matches numpy SVD projections (up to sign)', (t) => {
  const rng = new Rng(9, 'pca');
  const F = 6;
  const mix = rng.normals(2 * F);
  const mk = (id: string, nT: number, shift: number) => {
    const data = new Float32Array(nT * F);
    for (let i = 0; i < nT; i++) {
      const z = [rng.normal(), rng.normal() * 0.5];
      for (let j = 0; j < F; j++) data[i * F + j] = z[0] * mix[j] + z[1] * mix[F + j] + 0.01 * rng.normal() + shift;
    }
    return { id, nT, data };
  };
  const stimuli = [mk('a', 20, 0), mk('b', 20, 0), mk('test', 5, 3)];
  const space = { name: 'x', nFeatures: F, stimuli, clipMean: new Float32Array(3 * F) };
  const { space: out, explained } = pcaReduce(space, ['a', 'b'], 2);
  t.true(explained[0] + explained[1] > 0.999);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-pca-'));
  const train = Buffer.from(new Float32Array([...stimuli[0].data, ...stimuli[1].data]).buffer);
  fs.writeFileSync(path.join(dir, 'train.bin'), train);
  fs.writeFileSync(path.join(dir, 'test.bin'), Buffer.from(stimuli[2].data.buffer));
  const py = `
import numpy as np, sys
d=sys.argv[1]; F=${F}
X=np.fromfile(d+'/train.bin',dtype=np.float32).astype(np.float64).reshape(-1,F)
Y=np.fromfile(d+'/test.bin',dtype=np.float32).astype(np.float64).reshape(-1,F)
mu=X.mean(0); U,S,Vt=np.linalg.svd(X-mu,full_matrices=False)
print(' '.join(repr(v) for v in ((Y-mu)@Vt[:2].T).ravel()))`;
  const ref = execFileSync('/usr/bin/python3', ['-c', py, dir]).toString().trim().split(' ').map(Number);
  const got = out.stimuli[2].data;
  for (let j = 0; j < 2; j++) {
    const sign = Math.sign(got[j]) === Math.sign(ref[j]) ? 1 : -1;
    for (let i = 0; i < 5; i++) t.true(Math.abs(sign * got[i * 2 + j] - ref[i * 2 + j]) < 1e-3, `comp ${j} row ${i}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('user TF.js LayersModel from model.json on disk: named layers extracted, equal to the in-memory model', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-user-'));
  const input = tf.input({ shape: [16, 24, 1] });
  const conv = tf.layers
    .conv2d({
      filters: 3,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      name: 'conv',
      kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(conv) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 5, name: 'emb', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }).apply(flat) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: dense });
  await m.save(
    tf.io.withSaveHandler(async (art) => {
      const w = art.weightData as ArrayBuffer;
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(w));
      fs.writeFileSync(
        path.join(dir, 'model.json'),
        JSON.stringify({
          modelTopology: art.modelTopology,
          format: art.format,
          generatedBy: art.generatedBy,
          weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const rng = new Rng(4, 'u');
  const s = stim('one-window', 16, 24, () => rng.normal());
  const spaces = await userModelActivations(path.join(dir, 'model.json'), ['conv', 'emb'], [s], { rate: 4, freqBins: 100 });
  t.deepEqual(
    spaces.map((x) => x.name),
    ['conv', 'emb'],
  );
  const x = tf.tensor4d(s.mel.data, [1, 16, 24, 1]);
  const emb = m.predict(x) as tf.Tensor;
  const sub = tf.model({ inputs: m.inputs, outputs: m.getLayer('conv').output as tf.SymbolicTensor });
  const convOut = sub.predict(x) as tf.Tensor4D;
  const convMean = tf.transpose(tf.mean(convOut, 2), [0, 2, 1]).dataSync();
  t.is(spaces[1].nFeatures, 5);
  Array.from(emb.dataSync()).forEach((v, j) => t.true(Math.abs(spaces[1].clipMean[j] - v) < 1e-5));
  t.is(spaces[0].nFeatures, 3 * 8);
  Array.from(convMean).forEach((v, j) => t.true(Math.abs(spaces[0].clipMean[j] - v) < 1e-5));
  // a rank-2 layer has one column per window, so every timepoint repeats it
  const e = spaces[1].stimuli[0];
  for (let k = 1; k < e.nT; k++) t.deepEqual(Array.from(e.data.subarray(k * 5, k * 5 + 5)), Array.from(e.data.subarray(0, 5)));
  await t.throwsAsync(() => userModelActivations(path.join(dir, 'model.json'), ['nope'], [s], { rate: 1 }), { message: /no layer named 'nope'/ });
  tf.dispose([x, emb, convOut]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('user TF.js GraphModel from model.json on disk: a named node (conv → relu) equals the same ops computed directly', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-graph-'));
  const rng = new Rng(8, 'graph');
  const w = rng.normals(3 * 3 * 1 * 4);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const graph = {
    format: 'graph-model',
    generatedBy: 'brainalign test',
    modelTopology: {
      node: [
        {
          name: 'x',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '16' }, { size: '24' }, { size: '1' }] } } },
        },
        {
          name: 'w',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '3' }, { size: '1' }, { size: '4' }] } } },
          },
        },
        {
          name: 'conv',
          op: 'Conv2D',
          input: ['x', 'w'],
          attr: {
            T: { type: 'DT_FLOAT' },
            strides: { list: { i: ['1', '2', '2', '1'] } },
            padding: { s: b64('SAME') },
            data_format: { s: b64('NHWC') },
            dilations: { list: { i: ['1', '1', '1', '1'] } },
          },
        },
        { name: 'relu', op: 'Relu', input: ['conv'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [3, 3, 1, 4], dtype: 'float32' }] }],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(graph));
  fs.writeFileSync(path.join(dir, 'w.bin'), Buffer.from(w.buffer));
  const r2 = new Rng(9, 'g');
  const s = stim('g', 16, 48, () => r2.normal()); // two windows of 24 frames
  const [sp] = await userModelActivations(path.join(dir, 'model.json'), ['relu'], [s], { rate: 1, freqBins: 100 });
  t.is(sp.nFeatures, 4 * 8);
  const expected = tf.tidy(() => {
    const x = tf.tensor4d(s.mel.data, [1, 16, 48, 1]);
    // the model sees two separate 24-frame windows
    const halves = [tf.slice(x, [0, 0, 0, 0], [1, 16, 24, 1]), tf.slice(x, [0, 0, 24, 0], [1, 16, 24, 1])];
    const outs = halves.map((h) => tf.relu(tf.conv2d(h as tf.Tensor4D, tf.tensor4d(w, [3, 3, 1, 4]), 2, 'same')));
    return tf.transpose(tf.mean(tf.concat(outs, 2), 2), [0, 2, 1]).dataSync();
  });
  let maxErr = 0;
  expected.forEach((v, j) => {
    maxErr = Math.max(maxErr, Math.abs(sp.clipMean[j] - v));
  });
  t.true(maxErr < 1e-5, String(maxErr));
  fs.rmSync(dir, { recursive: true, force: true });
});
