import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, tf } from '../../src/models/backend.js';
import { trainGtzan } from '../../src/models/train.js';
import { listGtzan, splitByFile } from '../../src/models/dataset.js';
import { readCheckpoint } from '../../src/models/checkpoint.js';
import { readTsv } from '../../src/io/tsv.js';
import { openTrainArtifact } from '../../src/artifacts/train.js';
import { writeWav } from '../../src/io/wav.js';
import { Rng } from '../../src/core/prng.js';

const SR = 22050;
const GENRES = ['high', 'low', 'mid'];
const BASE: Record<string, number> = { low: 220, mid: 880, high: 3520 };

/** A GTZAN-layout folder of 2 s tone clips: each "genre" is a harmonic tone in its own octave band, with jittered pitch and noise. */
function makeToneSet(root: string, perGenre: number, seed: number): void {
  const rng = new Rng(seed, 'tones');
  for (const g of GENRES) {
    fs.mkdirSync(path.join(root, g), { recursive: true });
    for (let i = 0; i < perGenre; i++) {
      const r = rng.fork(`${g}${i}`);
      const f0 = BASE[g] * 2 ** r.range(-0.4, 0.4);
      const amp = r.range(0.05, 0.3);
      const x = new Float32Array(2 * SR);
      for (let n = 0; n < x.length; n++) {
        const tt = n / SR;
        x[n] = amp * (Math.sin(2 * Math.PI * f0 * tt) + 0.5 * Math.sin(4 * Math.PI * f0 * tt)) + 0.02 * r.normal();
      }
      writeWav(path.join(root, g, `${g}.${String(i).padStart(5, '0')}.wav`), x, SR);
    }
  }
}

test.before(async () => {
  await initBackend('wasm');
});

test.serial('the split is stratified by file: every genre in every split, no clip in two splits, same seed same split', (t) => {
  const clips = GENRES.flatMap((g, label) => Array.from({ length: 10 }, (_, i) => ({ id: `${g}/${i}`, path: '', genre: g, label })));
  const s1 = splitByFile(clips, { seed: 3, valFraction: 0.2, testFraction: 0.2 });
  const s2 = splitByFile(clips, { seed: 3, valFraction: 0.2, testFraction: 0.2 });
  const s3 = splitByFile(clips, { seed: 4, valFraction: 0.2, testFraction: 0.2 });
  t.deepEqual([...s1], [...s2]);
  t.notDeepEqual([...s1], [...s3]);
  t.is(s1.size, 30);
  for (const g of GENRES) {
    const count = (s: string) => clips.filter((c) => c.genre === g && s1.get(c.id) === s).length;
    t.deepEqual([count('train'), count('val'), count('test')], [6, 2, 2]);
  }
});

test.serial('BAN trained on a 3-class tone set beats chance on held-out clips, writes metrics, checkpoints and evaluation', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-train-'));
  const data = path.join(dir, 'data');
  makeToneSet(data, 8, 1);
  t.deepEqual(listGtzan(data).classes, GENRES);
  const out = path.join(dir, 'run');
  const opts = (outDir: string) => ({
    outDir,
    seed: 2,
    epochs: 8,
    batchSize: 8,
    lr: 3e-3,
    patience: 4,
    checkpointEvery: 4,
    valFraction: 0.25,
    testFraction: 0.25,
    windowsPerClip: 2,
    config: {
      nMels: 32,
      frames: 32,
      a1Width: 4,
      scale: 2,
      fcHidden: [8],
      areas: [
        { name: 'belt', width: 8, times: 2 },
        { name: 'pb', width: 8, times: 2 },
      ],
    },
  });
  const tensorsBefore = tf.memory().numTensors;
  const res = await trainGtzan(data, opts(out));
  const ev = res.evaluation;
  t.log(`test window acc ${ev.accuracy?.toFixed(2)}, clip acc ${ev.clipAccuracy?.toFixed(2)} (chance 0.33), best epoch ${res.bestEpoch}`);
  t.is(ev.nClips, 6);
  t.true((ev.clipAccuracy ?? 0) >= 0.83, `clip accuracy ${ev.clipAccuracy}`);
  const metrics = readTsv(path.join(out, 'metrics.tsv'));
  t.deepEqual(metrics.columns, ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc']);
  t.is(metrics.rows.length, res.history.length);
  t.true(res.history[res.history.length - 1].train_loss < res.history[0].train_loss);
  // The held-out tables count test clips, and agree with the best checkpoint's per-clip predictions.
  const art = openTrainArtifact(out);
  const conf = art.confusion();
  t.deepEqual(conf.classes, GENRES);
  t.is(
    conf.counts.flat().reduce((a, b) => a + b, 0),
    6,
  );
  const test = art.predictions().rows.filter((r) => r.split === 'test');
  t.is(
    conf.counts.reduce((s, r, k) => s + r[k], 0),
    test.filter((r) => r.predictedGenre === r.trueGenre).length,
  );
  t.deepEqual(
    art.perGenre().map((g) => g.n),
    [2, 2, 2],
  );
  t.deepEqual(res.checkpoints, ['epoch-0000', 'epoch-0004', 'epoch-0008'].slice(0, res.checkpoints.length));
  for (const ck of res.checkpoints) {
    t.true(fs.existsSync(path.join(out, 'checkpoints', ck, 'weights.bin')), ck);
    t.is(art.predictions(ck).rows.length, 24, `${ck}: every clip predicted`);
  }
  const best = readCheckpoint(path.join(out, 'checkpoints', 'best'));
  t.is(best.meta.epoch, res.bestEpoch);
  t.is(art.split().filter((r) => r.split === 'test').length, 6);
  // Same seed on wasm ⇒ byte-identical trained weights, predictions and evaluation.
  const again = await trainGtzan(data, opts(path.join(dir, 'again')));
  for (const f of ['checkpoints/best/weights.bin', 'checkpoints/epoch-0004/predictions.tsv', 'eval/predictions.tsv', 'eval/confusion.tsv', 'split.tsv']) {
    t.true(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(dir, 'again', f))), f);
  }
  again.model.dispose();
  best.model.dispose();
  res.model.dispose();
  t.is(tf.memory().numTensors, tensorsBefore, 'training leaks no tensors');
  fs.rmSync(dir, { recursive: true, force: true });
});
