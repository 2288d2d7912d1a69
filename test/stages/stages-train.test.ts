/**
 * The train and features stages called as functions (no CLI) on the reduced
 * synthetic study (3 genres × 3 clips × 3 s) with a tiny BAN: every saved
 * checkpoint's predictions equal what that checkpoint says when reloaded and
 * run again (mean window logits, softmax, by hand), the evaluation agrees
 * with the best checkpoint's predictions, its binomial p with scipy, and the
 * features stage reads the artifact only through its typed files.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { modelStagesFileSchema, melOptions } from '../../src/models/config.js';
import { openTrainArtifact } from '../../src/artifacts/train.js';
import { openFeaturesArtifact, readFeatureSeries, readFeatureSet } from '../../src/artifacts/features.js';
import { openFeatureStore } from '../../src/encoding/feature-store.js';
import { runTrainStage } from '../../src/stages/train.js';
import { runFeaturesStage } from '../../src/stages/features.js';
import { runCli } from '../helpers/cli.js';
import { pyStdin } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';
import { tinyBanModel, tinyBanTraining } from '../helpers/tiny-ban.js';

const tmp = tmpDir('ba-stages-');
const STUDY = path.join(tmp, 'study');
const STIM = path.join(STUDY, 'stimuli');
const ROOT = path.join(tmp, 'deriv');
const CONFIG = modelStagesFileSchema.parse({
  model: tinyBanModel(),
  train: tinyBanTraining(),
});

let trainDir = '';

test.before(async () => {
  const s = runCli(['synth', '--small', '--clips-per-genre', '3', '--out', STUDY, '--quiet']);
  if (s.code !== 0) throw new Error(s.stderr);
  const res = await runTrainStage({ stimuli: STIM, config: CONFIG, arch: 'ban', ablation: 'none', root: ROOT, seed: 0 });
  trainDir = res.dir;
});

test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.serial('every saved checkpoint’s predictions = that checkpoint reloaded: mean window logits → softmax and argmax, every clip', async (t) => {
  const { initBackend } = await import('../../src/models/backend.js');
  const { readCheckpoint } = await import('../../src/models/checkpoint.js');
  const { listGtzan, readClips } = await import('../../src/models/dataset.js');
  const { windowLogits } = await import('../../src/models/windows.js');
  await initBackend('wasm');
  const art = openTrainArtifact(trainDir);
  t.deepEqual(art.manifest().checkpoints, ['epoch-0000', 'epoch-0002', 'epoch-0004']);
  t.deepEqual(art.epochCheckpoints(), art.manifest().checkpoints);
  const { classes, clips: refs } = listGtzan(STIM);
  const clips = readClips(refs, melOptions(CONFIG.model));
  const K = classes.length;
  const choices: string[][] = [];
  for (const ck of ['best', ...art.epochCheckpoints()]) {
    const { model } = readCheckpoint(art.checkpoint(ck).dir);
    const { logits, clipOf } = windowLogits(model, clips);
    model.dispose();
    const written = new Map(art.predictions(ck).rows.map((r) => [r.stimId, r]));
    t.is(written.size, 9, ck);
    let worst = 0;
    clips.forEach((c, i) => {
      const mean = new Array<number>(K).fill(0);
      let n = 0;
      for (let w = 0; w < clipOf.length; w++)
        if (clipOf[w] === i) {
          n++;
          for (let j = 0; j < K; j++) mean[j] += logits[w * K + j];
        }
      const z = mean.map((v) => v / n);
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      const p = e.map((v) => v / e.reduce((a, b) => a + b, 0));
      const row = written.get(path.basename(c.id, '.wav'));
      if (!row) return t.fail(`${ck}: ${c.id} missing`);
      p.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - row.probs[j]))));
      t.is(row.predictedGenre, classes[z.indexOf(Math.max(...z))], `${ck} ${c.id}`);
    });
    t.log(`${ck}: largest |p(reloaded) − p(written)| = ${worst.toExponential(2)}`);
    t.true(worst < 5e-6, ck);
    choices.push(art.predictions(ck).rows.map((r) => r.predictedGenre));
  }
  t.true(
    choices.some((c) => c.join() !== choices[0].join()),
    'at least one checkpoint chooses differently from another',
  );
});

test.serial('the evaluation is the best checkpoint’s test rows: confusion trace = correct clips, per-genre n, clip accuracy, binomial p = scipy', (t) => {
  const art = openTrainArtifact(trainDir);
  const test = art.predictions().rows.filter((r) => r.split === 'test');
  const correct = test.filter((r) => r.predictedGenre === r.trueGenre).length;
  const s = art.summary();
  const c = art.confusion();
  t.is(s.n_test_clips, 3);
  t.is(
    c.counts.reduce((a, r, k) => a + r[k], 0),
    correct,
  );
  t.is(s.clip_accuracy, correct / 3);
  t.deepEqual(
    art.perGenre().map((g) => g.n),
    [1, 1, 1],
  );
  t.is(s.best_epoch, art.manifest().bestEpoch);
  const p = pyStdin<number>(
    'import sys, json; from scipy.stats import binom; d = json.load(sys.stdin); print(json.dumps(float(binom.sf(d[0] - 1, d[1], 1 / 3))))',
    [correct, 3],
  );
  t.true(Math.abs((s.clip_binomial_p ?? NaN) - p) < 1e-12, `${s.clip_binomial_p} vs scipy ${p}`);
  t.deepEqual(
    art.history().map((r) => r.epoch),
    [1, 2, 3, 4],
  );
});

test.serial('same inputs: up to date with the same key; the stage names parameters, not flags, in its errors', async (t) => {
  const again = await runTrainStage({ stimuli: STIM, config: CONFIG, arch: 'ban', ablation: 'none', root: ROOT, seed: 0 });
  t.true(again.upToDate);
  t.is(again.dir, trainDir);
  t.regex(again.summary, /^ban: test accuracy .* \(clips, n = 3\), chance 0\.333$/);
  const cnn = await t.throwsAsync(runTrainStage({ stimuli: STIM, config: CONFIG, arch: 'cnn', ablation: 'no-skip', root: ROOT, seed: 0 }), {
    instanceOf: InputError,
  });
  t.is(cnn?.where, 'ablation');
  const name = await t.throwsAsync(runTrainStage({ stimuli: STIM, config: CONFIG, arch: 'ban', ablation: 'none', name: 'a/b', root: ROOT, seed: 0 }), {
    instanceOf: InputError,
  });
  t.is(name?.where, 'name');
});

test.serial('features over every checkpoint: one typed feature set per saved epoch, rate spelled once (Hz), readable by the encode reader', async (t) => {
  const res = await runFeaturesStage({ stimuli: STIM, config: CONFIG, trainDir, baseline: null, checkpoint: 'all', rate: 2, root: ROOT, seed: 0 });
  const series = readFeatureSeries(res.dir);
  t.deepEqual(series.checkpoints, ['epoch-0000', 'epoch-0002', 'epoch-0004']);
  t.is(series.rate, 2);
  for (const ck of series.checkpoints) {
    const set = readFeatureSet(path.join(res.dir, ck));
    t.is(set.checkpoint, ck);
    t.deepEqual(set.areas, ['a1', 'belt', 'pb', 't']);
    const one = openFeaturesArtifact(res.dir).set(ck);
    t.deepEqual(
      one.clipRows().map((c) => c.nRows),
      Array<number>(9).fill(6),
      '3-s clips at 2 Hz: 6 rows each',
    );
    const side = one.sidecar('ban', 'pb', 1);
    t.is(side.rate, 2);
    t.is(side.rate_units, 'Hz');
    t.is(side.shape[0], set.rows);
    const store = openFeatureStore(path.join(res.dir, ck));
    t.is(store.spaces.length, 1 + 2 + 2 + 2);
    t.true(store.spaces.every((s) => s.rate === 2));
  }
  t.true(fs.readFileSync(path.join(res.dir, 'stimuli.tsv')).equals(fs.readFileSync(path.join(res.dir, 'epoch-0000', 'stimuli.tsv'))));
  const bad = await t.throwsAsync(runFeaturesStage({ stimuli: STIM, config: CONFIG, trainDir, baseline: null, checkpoint: 'epoch-3', root: ROOT, seed: 0 }), {
    instanceOf: InputError,
  });
  t.is(bad?.where, 'checkpoint');
  t.regex(bad?.problem ?? '', /has no checkpoint epoch-3 \(saved: epoch-0000, epoch-0002, epoch-0004\)/);
  const none = await t.throwsAsync(
    runFeaturesStage({ stimuli: STIM, config: CONFIG, trainDir: null, baseline: 'logmel', checkpoint: 'best', root: ROOT, seed: 0 }),
    { instanceOf: InputError },
  );
  t.is(none?.where, 'checkpoint');
});
