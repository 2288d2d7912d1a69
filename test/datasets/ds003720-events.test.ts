/**
 * ds003720's published events (sub-001, read from $BRAINALIGN_CONFORMANCE):
 * the columns, quoting, lead-in and test repetition structure the dataset
 * README describes, and what `data prepare` says when GTZAN tracks are missing.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planTestRun, readDs003720Events } from '../../src/io/datasets/ds003720-events.js';
import { InputError } from '../../src/core/errors.js';
import { REPO, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { PUBLISHED } from '../helpers/ds003720-replica.js';

const FUNC = path.join(PUBLISHED(), 'sub-001', 'func');
const TRAIN = path.join(FUNC, 'sub-001_task-Training_run-01_events.tsv');
const TESTRUN = path.join(FUNC, 'sub-001_task-Test_run-01_events.tsv');
const GENRES = ['blues', 'classical', 'country', 'disco', 'hiphop', 'jazz', 'metal', 'pop', 'reggae', 'rock'];

test('published Training run-01: 41 clips of 15 s every 15 s, quotes stripped to the ten GTZAN genres, excerpt end − start = 15 s', (t) => {
  const ev = readDs003720Events(TRAIN);
  t.is(ev.length, 41);
  t.deepEqual(
    ev.map((e) => e.onset),
    Array.from({ length: 41 }, (_, i) => i * 15),
  );
  t.true(ev.every((e) => e.duration === 15 && Math.abs(e.end - e.start - 15) < 1e-9));
  t.deepEqual([...new Set(ev.map((e) => e.genre))].sort(), GENRES);
  t.deepEqual([ev[0].stimId, ev[40].stimId], ['disco.00009_4210ms', 'metal.00078_1740ms']);
});

test('published Test run-01: after the lead-in, 10 clips × 4 repetitions at volumes 10, 110, 210, 310 (TR 1.5 s); the lead-in is the sequence’s last clip', (t) => {
  const ev = readDs003720Events(TESTRUN);
  const plan = planTestRun(ev, 1.5, TESTRUN);
  t.is(plan.period, 10);
  t.deepEqual(
    plan.blocks.map((b) => [b.firstVolume, b.nVolumes]),
    [
      [10, 100],
      [110, 100],
      [210, 100],
      [310, 100],
    ],
  );
  t.deepEqual(
    plan.blocks[0].events.map((e) => e.onset),
    Array.from({ length: 10 }, (_, i) => i * 15),
  );
  t.is(ev[0].stimId, plan.blocks[0].events[9].stimId);
  t.is(ev[40].stimId, plan.blocks[3].events[9].stimId);
});

test('a training run has no repeated sequence: planTestRun refuses it naming the file', (t) => {
  const e = t.throws(() => planTestRun(readDs003720Events(TRAIN), 1.5, TRAIN));
  t.true(e instanceof InputError);
  t.regex((e as InputError).problem, /does not repeat one clip sequence/);
});

test('data prepare without the GTZAN tracks: exit 2, one line counting the missing tracks and saying how to get GTZAN', (t) => {
  const dir = tmpDir('ba-ds003720-missing-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'ds003720');
  const func = path.join(root, 'sub-001', 'func');
  fs.mkdirSync(func, { recursive: true });
  fs.mkdirSync(path.join(dir, 'gtzan'));
  fs.copyFileSync(path.join(PUBLISHED(), 'dataset_description.json'), path.join(root, 'dataset_description.json'));
  // Runs as published (metadata only; the BOLD is never opened before the tracks are found).
  for (const [task, runs, src] of [
    ['Training', ['01', '02'], TRAIN],
    ['Test', ['01'], TESTRUN],
  ] as const) {
    for (const r of runs) {
      const base = path.join(func, `sub-001_task-${task}_run-${r}`);
      fs.copyFileSync(src, `${base}_events.tsv`);
      fs.copyFileSync(path.join(FUNC, `sub-001_task-${task}_run-01_bold.json`), `${base}_bold.json`);
      fs.writeFileSync(`${base}_bold.nii`, '');
    }
  }
  const r = runCli([
    'data',
    'prepare',
    path.join(REPO, 'data-manifests', 'ds003720.json'),
    root,
    '--gtzan',
    path.join(dir, 'gtzan'),
    '--out',
    path.join(dir, 'deriv'),
  ]);
  t.is(r.code, 2);
  t.is(r.stderr.trim().split('\n').length, 1);
  // 41 training clips + 10 test clips, all on distinct tracks.
  t.regex(
    r.stderr,
    /^brainalign: .*gtzan: 51 GTZAN track\(s\) the events name are missing \(blues\/blues\.00017\.au, blues\/blues\.00036\.au, blues\/blues\.00077\.au, …\); download genres\.tar\.gz/,
  );
  t.false(fs.existsSync(path.join(dir, 'deriv', 'artifacts', 'dataset')));
});

test('a manifest mapping with a bad excerpt level is refused before anything is read: one line naming the field', (t) => {
  const dir = tmpDir('ba-ds003720-mapping-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const m = JSON.parse(fs.readFileSync(path.join(REPO, 'data-manifests', 'ds003720.json'), 'utf8')) as { mapping: { excerpt: { rms: number } } };
  m.mapping.excerpt.rms = -1;
  const file = path.join(dir, 'bad.json');
  fs.writeFileSync(file, JSON.stringify(m));
  const r = runCli(['data', 'prepare', file, dir, '--gtzan', dir, '--out', path.join(dir, 'deriv')]);
  t.is(r.code, 2);
  t.regex(r.stderr, /^brainalign: .*bad\.json: mapping\.excerpt\.rms: .*\n$/);
});
