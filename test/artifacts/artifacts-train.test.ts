/**
 * The train artifact's formats and the one per-clip rule, without training:
 * clip scores against numpy (mean window logits, softmax, argmax), the
 * checkpoint naming, and each table written, read back and refused when a
 * column is renamed.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { writeTsv } from '../../src/io/tsv.js';
import { clipScores } from '../../src/models/clip-choice.js';
import { checkpointEpoch, epochCheckpointName, resolveCheckpoint, savedEpochCheckpoints } from '../../src/artifacts/checkpoints.js';
import { readPredictions, writePredictions, predictionsFile } from '../../src/artifacts/train-predictions.js';
import { readSplit, writeSplit } from '../../src/artifacts/train-split.js';
import { readHistory, writeHistory } from '../../src/artifacts/train-history.js';
import { readTrainManifest, writeTrainManifest } from '../../src/artifacts/train-manifest.js';
import { openTrainArtifact } from '../../src/artifacts/train.js';
import { pyStdin } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-art-train-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('clip scores = numpy: mean of each clip’s window logits, its softmax and argmax (5 clips, 2–7 windows, 4 classes, logits up to ±40)', (t) => {
  const rng = new Rng(7, 'clip-scores');
  const K = 4;
  const counts = [2, 7, 3, 5, 4];
  const clipOf = Int32Array.from(counts.flatMap((n, c) => Array<number>(n).fill(c)));
  // Windows of a clip need not be consecutive: shuffle their order.
  rng.shuffle(clipOf);
  const logits = rng.normals(clipOf.length * K, 0, 15);
  logits[3] = 40;
  const got = clipScores(logits, clipOf, counts.length, K);
  const ref = pyStdin<{ p: number[][]; c: number[] }>(
    `import sys, json, numpy as np
d = json.load(sys.stdin); L = np.array(d['l'], dtype=np.float32).astype(np.float64).reshape(-1, ${K}); c = np.array(d['c'])
m = np.stack([L[c == k].mean(0) for k in range(${counts.length})]); e = np.exp(m - m.max(1, keepdims=True)); p = e / e.sum(1, keepdims=True)
print(json.dumps({'p': p.tolist(), 'c': m.argmax(1).tolist()}))`,
    { l: Array.from(logits), c: Array.from(clipOf) },
  );
  let worst = 0;
  ref.p.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - got.probs[i * K + j])))));
  t.log(`largest |p − numpy| = ${worst.toExponential(2)}`);
  t.true(worst < 1e-12);
  t.deepEqual(Array.from(got.choice), ref.c);
});

test('checkpoint names: epoch-NNNN, matched by number whatever the padding, listed in epoch order past 9999', (t) => {
  t.is(epochCheckpointName(5), 'epoch-0005');
  t.is(checkpointEpoch('epoch-0005'), 5);
  t.is(checkpointEpoch('best'), null);
  t.is(checkpointEpoch(null), null);
  const dir = path.join(tmp, 'ck');
  for (const d of ['epoch-0000', 'epoch-9999', 'epoch-10000', 'best', 'epoch-x']) fs.mkdirSync(path.join(dir, 'checkpoints', d), { recursive: true });
  t.deepEqual(savedEpochCheckpoints(dir), ['epoch-0000', 'epoch-9999', 'epoch-10000']);
  t.is(resolveCheckpoint(dir, 'epoch-0').name, 'epoch-0000');
  t.is(resolveCheckpoint(dir, 'best').dir, path.join(dir, 'checkpoints', 'best'));
  const e = t.throws(() => resolveCheckpoint(dir, 'epoch-7'), { instanceOf: InputError });
  t.is(e?.where, 'checkpoint');
  t.regex(e?.problem ?? '', /has no checkpoint epoch-7 \(saved: epoch-0000, epoch-9999, epoch-10000\)/);
});

test('predictions, split and manifest read back as written; best and epoch checkpoints each have their own table', (t) => {
  const dir = path.join(tmp, 'rt');
  fs.mkdirSync(path.join(dir, 'checkpoints', 'epoch-0002'), { recursive: true });
  const p = {
    classes: ['jazz', 'rock'],
    rows: [
      { stimId: 'a', trueGenre: 'jazz', predictedGenre: 'jazz', split: 'train' as const, probs: [0.75, 0.25] },
      { stimId: 'b', trueGenre: 'rock', predictedGenre: 'jazz', split: 'test' as const, probs: [0.5, 0.5] },
    ],
  };
  writePredictions(predictionsFile(dir), p, 'best');
  writePredictions(predictionsFile(dir, 'epoch-2'), { ...p, rows: p.rows.map((r) => ({ ...r, predictedGenre: 'rock', probs: [0.125, 0.875] })) }, 'epoch-0002');
  t.true(fs.existsSync(path.join(dir, 'eval', 'predictions.tsv')));
  t.true(fs.existsSync(path.join(dir, 'checkpoints', 'epoch-0002', 'predictions.tsv')));
  const art = openTrainArtifact(dir);
  t.deepEqual(art.predictions(), p);
  t.deepEqual(
    art.predictions('epoch-0002').rows.map((r) => r.predictedGenre),
    ['rock', 'rock'],
  );
  writeSplit(dir, [
    { stimId: 'a', genre: 'jazz', split: 'train' },
    { stimId: 'b', genre: 'rock', split: 'test' },
  ]);
  t.deepEqual(
    readSplit(dir).map((r) => r.split),
    ['train', 'test'],
  );
  const m = {
    name: 'ban',
    arch: 'ban' as const,
    ablation: 'none' as const,
    classes: ['jazz', 'rock'],
    mel: { sr: 22050, nFft: 1024, hop: 512, nMels: 32 },
    bestEpoch: 2,
    checkpoints: ['epoch-0002'],
  };
  writeTrainManifest(dir, m);
  t.deepEqual(readTrainManifest(dir), m);
});

test('a renamed column, an unknown split role, a missing loss or a choice outside the classes is one InputError naming the file', (t) => {
  const dir = path.join(tmp, 'bad');
  writeTsv(path.join(dir, 'split.tsv'), ['stim_id', 'genre', 'role'], [{ stim_id: 'a', genre: 'jazz', role: 'train' }]);
  t.throws(() => readSplit(dir), { instanceOf: InputError, message: /split\.tsv: no "split" column/ });
  writeTsv(path.join(dir, 'split.tsv'), ['stim_id', 'genre', 'split'], [{ stim_id: 'a', genre: 'jazz', split: 'holdout' }]);
  t.throws(() => readSplit(dir), { instanceOf: InputError, message: /clip a: split "holdout"/ });
  const f = path.join(dir, 'eval', 'predictions.tsv');
  writeTsv(
    f,
    ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_jazz', 'p_rock'],
    [{ stim_id: 'a', true_genre: 'jazz', predicted_genre: 'blues', split: 'test', p_jazz: 0.5, p_rock: 0.5 }],
  );
  t.throws(() => readPredictions(f), { instanceOf: InputError, message: /predicted_genre "blues" is not one of the p_<genre> classes/ });
  // A loss is required; a validation score may be n/a (no validation split).
  writeHistory(dir, [{ epoch: 1, train_loss: 0.5, train_acc: 0.75, val_loss: null, val_acc: null }]);
  t.deepEqual(readHistory(dir), [{ epoch: 1, train_loss: 0.5, train_acc: 0.75, val_loss: null, val_acc: null }]);
  writeTsv(path.join(dir, 'metrics.tsv'), ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc'], [{ epoch: 1, train_loss: null, train_acc: 0.75 }]);
  t.throws(() => readHistory(dir), { instanceOf: InputError, message: /metrics\.tsv: line 2, column "train_loss": a finite number is required, got "n\/a"/ });
  fs.writeFileSync(path.join(dir, 'train.json'), JSON.stringify({ name: 'ban', arch: 'rnn' }));
  t.throws(() => readTrainManifest(dir), { instanceOf: InputError, message: /train\.json: field "arch"/ });
});
