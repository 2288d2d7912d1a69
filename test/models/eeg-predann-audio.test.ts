/**
 * PredANN's joint training: L = CE_eeg + CE_audio + λ·InfoNCE(z_eeg, stop-grad z_audio).
 * Planted: three songs whose audio is a 110, 220 or 330 Hz tone with a song-
 * specific 2, 3 or 5 Hz amplitude modulation, and EEG windows that carry the
 * song's modulation rhythm on one channel in noise.
 *  - stop-gradient: identity forward, zero gradient backward;
 *  - the audio CNN learns from its own cross-entropy only: with the same seed
 *    its final weights are byte-identical for λ = 0 and λ = 0.5, while the EEG
 *    encoder's differ;
 *  - both cross-entropies and the InfoNCE term fall during training;
 *  - early stopping restores the epoch with the lowest validation CE.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { initBackend, tf } from '../../src/models/backend.js';
import { trainEegEncoder } from '../../src/models/predann-train.js';
import { stopGradient } from '../../src/models/predann-loss.js';
import { eegEncoderConfigSchema } from '../../src/models/eeg-encoder-config.js';
import { audioEncoderConfigSchema } from '../../src/models/audio-encoder-config.js';

const RATE = 32;
const AUDIO_RATE = 1000;
const shape = { nCh: 4, nT: 2 * RATE, nClasses: 3, targetDim: 8 };
const audioLen = 2 * AUDIO_RATE;

function makeSet(n: number, rng: Rng): { x: Float32Array; labels: Int32Array; audio: Float32Array } {
  const x = rng.normals(n * shape.nCh * shape.nT, 0, 0.7);
  const labels = new Int32Array(n);
  const audio = new Float32Array(n * audioLen);
  for (let i = 0; i < n; i++) {
    const y = i % 3;
    labels[i] = y;
    const fm = [2, 3, 5][y];
    const fc = [110, 220, 330][y];
    const ph = rng.uniform() * 2 * Math.PI;
    for (let t = 0; t < shape.nT; t++) x[(i * shape.nCh + 1) * shape.nT + t] += Math.sin((2 * Math.PI * fm * t) / RATE + ph);
    for (let t = 0; t < audioLen; t++)
      audio[i * audioLen + t] = (0.6 + 0.4 * Math.sin((2 * Math.PI * fm * t) / AUDIO_RATE + ph)) * Math.sin((2 * Math.PI * fc * t) / AUDIO_RATE);
  }
  return { x, labels, audio };
}

const enc = { filters: [4, 8], kernel: [1, 7] as [number, number], poolTime: 2, projectionHidden: 16, embeddingDim: 8, batchSize: 12, lr: 3e-3, patience: 0 };
const audioCfg = audioEncoderConfigSchema.parse({ rate: AUDIO_RATE, filters: [4, 8, 8, 8] });

test.before(async () => {
  await initBackend('wasm');
});

test('stop-gradient passes values and blocks gradients', (t) => {
  const x = tf.variable(tf.tensor1d([1, -2, 3]));
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.add(tf.mul(stopGradient(x), 2), tf.mul(x, 0.5))) as tf.Scalar, [x]);
  t.is(value.dataSync()[0], 2.5 * (1 - 2 + 3));
  // d/dx [2·sg(x) + 0.5·x] = 0.5 only.
  t.deepEqual(Array.from(grads[x.name].dataSync()), [0.5, 0.5, 0.5]);
  x.dispose();
});

test('joint training: the audio CNN is untouched by the InfoNCE term (identical weights for λ = 0 and 0.5), the EEG encoder is not', (t) => {
  const set = makeSet(48, new Rng(3, 'audio-set'));
  const run = (lambda: number): { audio: Float32Array[]; eeg: Float32Array[]; hist: { ce: number; ce_audio: number; nce: number }[] } => {
    const r = trainEegEncoder(set, shape, eegEncoderConfigSchema.parse({ ...enc, epochs: 6, lambda }), 9, { audio: { config: audioCfg, length: audioLen } });
    if (!r.audioModel) throw new Error('no audio model returned');
    const audio = r.audioModel.vars.trainable().map((v) => v.dataSync() as Float32Array);
    const eeg = r.model.vars.trainable().map((v) => v.dataSync() as Float32Array);
    r.model.dispose();
    r.audioModel?.dispose();
    return { audio, eeg, hist: r.history };
  };
  const a = run(0.5);
  const b = run(0);
  t.is(a.audio.length, b.audio.length);
  a.audio.forEach((w, i) => t.deepEqual(Buffer.from(w.buffer), Buffer.from(b.audio[i].buffer)));
  t.true(a.eeg.some((w, i) => w.some((v, j) => v !== b.eeg[i][j])));
  const first = a.hist[0];
  const last = a.hist[a.hist.length - 1];
  t.true(last.ce < first.ce, `CE_eeg ${first.ce} → ${last.ce}`);
  t.true(last.ce_audio < first.ce_audio, `CE_audio ${first.ce_audio} → ${last.ce_audio}`);
  t.true(last.nce < first.nce, `InfoNCE ${first.nce} → ${last.nce}`);
});

test('early stopping keeps the epoch with the lowest validation cross-entropy', (t) => {
  const set = makeSet(36, new Rng(4, 'es-train'));
  const val = makeSet(12, new Rng(5, 'es-val'));
  const r = trainEegEncoder({ x: set.x, labels: set.labels }, shape, eegEncoderConfigSchema.parse({ ...enc, lambda: 0, epochs: 30, patience: 3 }), 2, {
    validation: { x: val.x, labels: val.labels },
  });
  const vals = r.history.map((h) => h.val_ce);
  t.true(vals.every(Number.isFinite));
  const bestIdx = vals.indexOf(Math.min(...vals));
  t.is(r.bestEpoch, r.history[bestIdx].epoch);
  // Stopped `patience` epochs after the best one (or ran out of epochs).
  t.true(r.history.length === 30 || r.history.length === r.bestEpoch + 3, `ran ${r.history.length} epochs, best ${r.bestEpoch}`);
  r.model.dispose();
});
