/**
 * `brainalign train` end to end on the reduced synthetic study (3 genres × 3
 * clips × 3 s) with a tiny BAN: the artifact layout the features and align
 * stages read, a well-formed training curve, evaluation tables that agree with
 * each other, caching by inputs and parameters, and an exact checkpoint
 * round trip.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { readTsv } from '../../src/io/tsv.js';
import { modelStagesFileSchema, melOptions } from '../../src/models/config.js';
import { defined } from '../helpers/defined.js';
import { tinyBanModel, tinyBanTraining } from '../helpers/tiny-ban.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-cli-train-'));
const STUDY = path.join(tmp, 'study');
const D = path.join(tmp, 'deriv');
const CFG = path.join(tmp, 'cfg.json');
const TINY = {
  $comment: 'a tiny BAN so the test runs in seconds',
  model: tinyBanModel(),
  train: tinyBanTraining(),
  encode: { $comment: 'another stage’s section passes through unchecked', anything: 1 },
};

let trainDir = '';
let key = '';

const args = (extra: string[] = [], cfg = CFG): string[] => [
  'train',
  '--stimuli',
  path.join(STUDY, 'stimuli'),
  '--config',
  cfg,
  '--out',
  D,
  '--stamp',
  path.join(D, 'stamps', 'train-ban.json'),
  ...extra,
];

test.before(() => {
  const s = runCli(['synth', '--small', '--clips-per-genre', '3', '--out', STUDY, '--quiet']);
  if (s.code !== 0) throw new Error(s.stderr);
  fs.writeFileSync(CFG, JSON.stringify(TINY));
  const r = runCli(args(['--quiet']));
  if (r.code !== 0) throw new Error(r.stderr);
  const stamp = JSON.parse(fs.readFileSync(path.join(D, 'stamps', 'train-ban.json'), 'utf8')) as { key: string; dir: string };
  key = stamp.key;
  trainDir = path.resolve(D, 'stamps', stamp.dir);
});

test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the artifact holds checkpoints every 2 epochs plus best, metrics, split, evaluation and the manifest', (t) => {
  for (const f of [
    'checkpoints/epoch-0000/model.json',
    'checkpoints/epoch-0000/weights.bin',
    'checkpoints/epoch-0002/weights.bin',
    'checkpoints/epoch-0004/weights.bin',
    'checkpoints/best/model.json',
    'checkpoints/best/weights.bin',
    'metrics.tsv',
    'metrics.json',
    'split.tsv',
    'split.json',
    'train.json',
    'eval/summary.json',
    'eval/confusion.tsv',
    'eval/per_genre.tsv',
    'eval/predictions.tsv',
    'eval/predictions.json',
    'provenance.json',
  ])
    t.true(fs.existsSync(path.join(trainDir, f)), f);
  t.false(fs.existsSync(path.join(trainDir, '.work')), 'no scratch folder left behind');
});

test('metrics.tsv: one row per epoch 1…4, finite positive losses, accuracies in [0, 1]; wall times only in provenance.json', (t) => {
  const m = readTsv(path.join(trainDir, 'metrics.tsv'));
  t.deepEqual(m.columns, ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc']);
  const prov = JSON.parse(fs.readFileSync(path.join(trainDir, 'provenance.json'), 'utf8')) as { runtime: { epochSeconds: number[]; wallSeconds: number } };
  t.is(prov.runtime.epochSeconds.length, 4);
  for (const s of prov.runtime.epochSeconds) t.true(s > 0 && s <= prov.runtime.wallSeconds, `epoch ${s} s of ${prov.runtime.wallSeconds} s`);
  const summary = JSON.parse(fs.readFileSync(path.join(trainDir, 'eval', 'summary.json'), 'utf8')) as Record<string, unknown>;
  t.false('wall_seconds' in summary);
  t.deepEqual(
    m.rows.map((r) => Number(r.epoch)),
    [1, 2, 3, 4],
  );
  for (const r of m.rows) {
    for (const c of ['train_loss', 'val_loss']) t.true(Number(r[c]) > 0 && Number.isFinite(Number(r[c])), `${c} ${r[c]}`);
    for (const c of ['train_acc', 'val_acc']) t.true(Number(r[c]) >= 0 && Number(r[c]) <= 1, `${c} ${r[c]}`);
  }
});

test('split.tsv names every study clip once; each genre has one train, one val and one test clip', (t) => {
  const stim = readTsv(path.join(STUDY, 'stimuli', 'stimuli.tsv')).rows;
  const split = readTsv(path.join(trainDir, 'split.tsv'));
  t.deepEqual(split.columns, ['stim_id', 'genre', 'split']);
  t.deepEqual(split.rows.map((r) => r.stim_id).sort(), stim.map((r) => r.stim_id).sort());
  for (const g of new Set(stim.map((r) => r.genre))) {
    t.deepEqual(
      split.rows
        .filter((r) => r.genre === g)
        .map((r) => r.split)
        .sort(),
      ['test', 'train', 'val'],
      g,
    );
  }
});

test('predictions cover every clip; probabilities sum to 1, the choice is their argmax; confusion, per-genre and summary agree', (t) => {
  const summary = JSON.parse(fs.readFileSync(path.join(trainDir, 'eval', 'summary.json'), 'utf8')) as Record<string, number | string | string[]>;
  const classes = summary.classes as string[];
  t.deepEqual(classes, ['classical', 'metal', 'reggae']);
  const split = new Map(readTsv(path.join(trainDir, 'split.tsv')).rows.map((r) => [r.stim_id, r.split]));
  const pred = readTsv(path.join(trainDir, 'eval', 'predictions.tsv'));
  t.deepEqual(pred.columns, ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_classical', 'p_metal', 'p_reggae']);
  t.is(pred.rows.length, 9);
  let correct = 0;
  for (const r of pred.rows) {
    const p = classes.map((g) => Number(r[`p_${g}`]));
    t.true(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    t.is(r.predicted_genre, classes[p.indexOf(Math.max(...p))]);
    t.is(r.split, split.get(r.stim_id) ?? 'missing');
    if (r.split === 'test' && r.predicted_genre === r.true_genre) correct++;
  }
  const conf = readTsv(path.join(trainDir, 'eval', 'confusion.tsv'));
  t.deepEqual(
    conf.rows.map((r) => r.true_genre),
    classes,
  );
  const total = conf.rows.reduce((s, r) => s + classes.reduce((a, g) => a + Number(r[g]), 0), 0);
  const trace = conf.rows.reduce((s, r) => s + Number(r[r.true_genre]), 0);
  t.is(total, 3);
  t.is(summary.n_test_clips, 3);
  t.is(trace, correct);
  t.is(summary.clip_accuracy, correct / 3);
  t.is(summary.chance, 1 / 3);
  t.is(summary.backend, 'wasm');
  const per = readTsv(path.join(trainDir, 'eval', 'per_genre.tsv'));
  t.deepEqual(
    per.rows.map((r) => Number(r.n)),
    [1, 1, 1],
  );
  t.true(typeof summary.accuracy === 'number' && (summary.accuracy as number) >= 0 && (summary.accuracy as number) <= 1);
});

test('a re-run with the same inputs is up to date; a changed parameter (ablation, config) re-runs into a new artifact', (t) => {
  const again = runCli(args());
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, new RegExp(`train: up to date \\(${key}\\)`));
  const abl = runCli(args(['--ablation', 'no-recurrence', '--quiet']));
  t.is(abl.code, 0, abl.stderr);
  t.regex(abl.stdout, /train: done \(/);
  t.notRegex(abl.stdout, new RegExp(key));
  const stamp = JSON.parse(fs.readFileSync(path.join(D, 'stamps', 'train-ban.json'), 'utf8')) as { dir: string };
  const ablDir = path.resolve(D, 'stamps', stamp.dir);
  const best = JSON.parse(fs.readFileSync(path.join(ablDir, 'checkpoints', 'best', 'model.json'), 'utf8')) as { config: { areas: { times: number }[] } };
  t.deepEqual(
    best.config.areas.map((a) => a.times),
    [1, 1, 1],
  );
  t.is((JSON.parse(fs.readFileSync(path.join(ablDir, 'train.json'), 'utf8')) as { name: string }).name, 'ban-no-recurrence');
  const cfg2 = path.join(tmp, 'cfg2.json');
  fs.writeFileSync(cfg2, JSON.stringify({ ...TINY, train: { ...TINY.train, lr: 0.002 } }));
  const lr = runCli(args(['--quiet'], cfg2));
  t.regex(lr.stdout, /train: done \(/);
  t.notRegex(lr.stdout, new RegExp(key));
});

test('same seed, fresh derivatives root: byte-identical weights, split and predictions', (t) => {
  const root = path.join(tmp, 'deriv-again');
  const r = runCli(['train', '--stimuli', path.join(STUDY, 'stimuli'), '--config', CFG, '--out', root, '--quiet']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`train: done \\(${key}\\)`));
  for (const f of ['checkpoints/best/weights.bin', 'checkpoints/epoch-0002/weights.bin', 'split.tsv', 'eval/predictions.tsv', 'eval/confusion.tsv']) {
    t.true(fs.readFileSync(path.join(trainDir, f)).equals(fs.readFileSync(path.join(root, 'artifacts', 'train', key, f))), f);
  }
});

test('train.split = fmri holds out exactly the clips the fMRI test runs use', (t) => {
  const cfg = path.join(tmp, 'cfg-fmri.json');
  fs.writeFileSync(cfg, JSON.stringify({ ...TINY, train: { ...TINY.train, epochs: 1, split: 'fmri' } }));
  const stamp = path.join(tmp, 'fmri-stamp.json');
  const r = runCli(['train', '--stimuli', path.join(STUDY, 'stimuli'), '--config', cfg, '--out', D, '--stamp', stamp, '--quiet']);
  t.is(r.code, 0, r.stderr);
  const dir = path.resolve(tmp, (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { dir: string }).dir);
  const fmriTest = readTsv(path.join(STUDY, 'stimuli', 'stimuli.tsv'))
    .rows.filter((x) => x.fmri_set === 'test')
    .map((x) => x.stim_id)
    .sort();
  t.true(fmriTest.length > 0);
  t.deepEqual(
    readTsv(path.join(dir, 'split.tsv'))
      .rows.filter((x) => x.split === 'test')
      .map((x) => x.stim_id)
      .sort(),
    fmriTest,
  );
});

test('checkpoint round trip: the reloaded best checkpoint reproduces the predictions the in-memory model wrote; save → load is bit-exact', async (t) => {
  const { initBackend } = await import('../../src/models/backend.js');
  const { readCheckpoint, saveCheckpoint } = await import('../../src/models/checkpoint.js');
  const { listGtzan, readClips } = await import('../../src/models/dataset.js');
  const { windowLogits } = await import('../../src/models/windows.js');
  const { modelActivations, stimulusFromAudio } = await import('../../src/models/activations.js');
  const { readWav } = await import('../../src/io/wav.js');
  await initBackend('wasm');
  const { model } = readCheckpoint(path.join(trainDir, 'checkpoints', 'best'));
  const mel = melOptions(modelStagesFileSchema.parse(TINY).model);
  const { classes, clips: refs } = listGtzan(path.join(STUDY, 'stimuli'));
  const clips = readClips(refs, mel);
  const { logits, clipOf } = windowLogits(model, clips);
  const K = classes.length;
  const pred = new Map(readTsv(path.join(trainDir, 'eval', 'predictions.tsv')).rows.map((r) => [r.stim_id, r]));
  let worst = 0;
  clips.forEach((c, i) => {
    const z = new Float64Array(K);
    let n = 0;
    for (let w = 0; w < clipOf.length; w++)
      if (clipOf[w] === i) {
        n++;
        for (let j = 0; j < K; j++) z[j] += logits[w * K + j];
      }
    const mx = Math.max(...z.map((v) => v / n));
    const e = Array.from(z, (v) => Math.exp(v / n - mx));
    const s = e.reduce((a, b) => a + b, 0);
    const row = defined(pred.get(path.basename(c.id, '.wav')), "the clip's row in predictions.tsv");
    classes.forEach((g, j) => (worst = Math.max(worst, Math.abs(e[j] / s - Number(row[`p_${g}`])))));
  });
  t.log(`largest |p(reloaded) − p(written)| = ${worst.toExponential(2)} (TSV keeps 6 significant digits)`);
  t.true(worst < 5e-6);
  const w = readWav(path.join(STUDY, 'stimuli', 'metal', 'metal.00000.wav'));
  const stim = [stimulusFromAudio('metal.00000', w.channels[0], w.sampleRate, mel)];
  const before = modelActivations(model, stim, { rate: 4 });
  const dir = path.join(tmp, 'roundtrip');
  saveCheckpoint(dir, model, { epoch: 0 });
  const after = modelActivations(readCheckpoint(dir).model, stim, { rate: 4 });
  t.is(after.length, before.length);
  before.forEach((b, i) => t.deepEqual(after[i].stimuli[0].data, b.stimuli[0].data, b.name));
});

test('bad input is one line naming the option or file, exit 2', (t) => {
  const r = runCli(['train', '--stimuli', path.join(tmp, 'nope'), '--config', CFG, '--out', D]);
  t.is(r.code, 2);
  t.regex(r.stderr, /^brainalign: .*nope: no such stimuli folder\n$/);
  const bad = path.join(tmp, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ train: { epochs: 'many' } }));
  const r2 = runCli(['train', '--stimuli', path.join(STUDY, 'stimuli'), '--config', bad, '--out', D]);
  t.is(r2.code, 2);
  t.regex(r2.stderr, /field "train\.epochs": expected number/);
  // The stage names its parameter (ablation, name); the verb reports the flag.
  const r3 = runCli(['train', '--stimuli', path.join(STUDY, 'stimuli'), '--config', CFG, '--out', D, '--arch', 'cnn', '--ablation', 'no-skip']);
  t.is(r3.code, 2);
  t.is(r3.stderr, 'brainalign: --ablation: ablations apply to arch ban\n');
  const r4 = runCli(['train', '--stimuli', path.join(STUDY, 'stimuli'), '--config', CFG, '--out', D, '--name', 'a b']);
  t.is(r4.code, 2);
  t.regex(r4.stderr, /^brainalign: --name: use letters/);
});
