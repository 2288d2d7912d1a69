/**
 * Loaders from stage artifacts to ReportData, on fixture artifact folders
 * written with the project's own writers: values come back as written
 * (per-area CV rows chosen over per-iteration rows, subjects averaged, the
 * 'mean' window-combination rule chosen), the mean-EPI background equals the
 * time average of the BOLD run, absent sections stay empty, malformed files
 * (or a column under another name) are InputErrors naming the file, and
 * `brainalign report` runs end to end.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTsv } from '../../src/io/tsv.js';
import { writeJsonAtomic } from '../../src/core/atomic.js';
import { loadNifti, writeNifti } from '../../src/io/nifti.js';
import { InputError } from '../../src/core/errors.js';
import { readReportData, mapWindow } from '../../src/report/load.js';
import { buildSections } from '../../src/report/sections.js';
import { runCli } from '../helpers/cli.js';
import { alignFiles, artifact, CLASSES, eegFiles, encodeFiles, trainFiles } from '../helpers/report-artifacts.js';
import { tmpDir } from '../helpers/tmp.js';

test('ban-bas inputs load into a typed report with the values written', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const train = artifact(root, 'train', 'aaaa', { name: 'ban', epochs: 3 }, (d) => trainFiles(d, { accuracy: 0.79, clipAccuracy: 0.9, p: 0.001 }));
  const cnn = artifact(root, 'train', 'bbbb', { name: 'cnn' }, (d) => trainFiles(d, { accuracy: 0.6, clipAccuracy: 0.7, p: 0.004 }));
  const enc1 = artifact(root, 'encode', 'cccc', { subject: '01' }, (d) => encodeFiles(d, '01', 1));
  const enc2 = artifact(root, 'encode', 'dddd', { subject: '02' }, (d) => encodeFiles(d, '02', 2));
  const align = artifact(root, 'align', 'eeee', { nBoot: 100 }, alignFiles);
  const stamp = path.join(root, 'stamps', 'train-ban.json');
  writeJsonAtomic(stamp, { stage: 'train', key: 'aaaa', dir: path.relative(path.dirname(stamp), train) });
  const d = readReportData('ban-bas', [stamp, cnn, enc1, enc2, align], { seed: 5, tmpDir: root });

  const ban = d.training.find((x) => x.model === 'ban');
  const c = d.training.find((x) => x.model === 'cnn');
  t.deepEqual(ban?.classes, CLASSES);
  t.deepEqual(ban?.confusion, [
    [5, 1, 0],
    [0, 4, 2],
    [1, 0, 6],
  ]);
  t.is(ban?.confusionUnit, 'clips');
  t.is(ban?.epochs[0].val_loss, null, 'n/a stays missing');
  t.true(Math.abs((ban?.epochs[2].train_loss ?? 0) - 0.5) < 1e-6);
  t.is(ban?.bestEpoch, 2);
  t.is(ban?.clipAccuracy, 0.9);
  t.true(Math.abs((ban?.chance ?? 0) - 1 / 3) < 1e-12);
  t.is(c?.accuracy, 0.6);
  t.is(c?.clipAccuracy, 0.7);
  t.is(c?.perClass[2].support, 8);
  t.is(c?.perClass[1].recall, null, 'n/a recall stays missing');
  t.is(c?.clipP, 0.004);

  // ROI rows: the 'cv' rows, averaged over the two subjects (scales 1 and 2 → 1.5×).
  t.regex(d.roiScores?.measure ?? '', /mean over 2 subjects/);
  const a1 = d.roiScores?.rows.find((r) => r.group === 'A1' && r.roi === 'A1');
  t.true(Math.abs((a1?.score ?? 0) - 0.75) < 1e-6, `A1→A1 ${a1?.score}`);
  t.deepEqual(
    a1?.subjects.map((x) => Math.round(x * 1e6) / 1e6),
    [0.5, 1],
    'the per-subject values behind the mean',
  );
  const belt = d.roiScores?.rows.find((r) => r.group === 'A1' && r.roi === 'Belt');
  t.true(Math.abs((belt?.score ?? 0) - 0.3) < 1e-6);
  t.is(belt?.nVoxels, 22, 'voxel counts summed over subjects');

  // BAS per trained model (checkpoint rows belong to the alignment section); CI level from the run's summary.
  t.deepEqual(
    d.bas.map((b) => b.model),
    ['ban', 'cnn'],
  );
  t.deepEqual(d.bas[0].sR, { estimate: 0.4, lo: 0.3, hi: 0.5 });
  t.deepEqual(d.bas[0].bas, { estimate: 0.5, lo: 0.45, hi: 0.56 });
  t.is(d.bas[1].bas, null, 'BAS not computed for cnn');
  t.is(d.bas[0].level, 0.9);
  t.deepEqual(d.bas[0].correspondence, { index: 0.25, p: 0.01 });
  t.deepEqual(d.bas[0].pairs, [
    { area: 'A1', roi: 'A1', score: 0.5 },
    { area: 'Belt', roi: 'Belt', score: 0.3 },
  ]);
  t.deepEqual(d.areaRoi?.values, [0.5, 0.2, null, 0.3], 'the first trained model, not a checkpoint');
  t.deepEqual(d.areaRoi?.pairs, [
    { area: 'A1', roi: 'A1' },
    { area: 'Belt', roi: 'Belt' },
  ]);
  t.deepEqual(
    d.alignment?.points.map((p) => [p.label, p.group, p.epoch, p.x, p.y, p.final]),
    [
      ['ban epoch-0000', 'ban', 0, 0.3, 0.2, false],
      ['ban epoch-0005', 'ban', 5, 0.7, 0.5, false],
      ['ban', 'ban', null, 0.8, 0.45, true],
    ],
    'cnn has no performance: left out',
  );
  t.deepEqual(
    d.alignment?.points.map((p) => p.y2),
    [0.1, 0.2, 0.2],
    'RSA column read',
  );
  t.deepEqual(d.alignment?.summary, [
    { scope: 'across-models', model: null, measure: 'encoding', spearman: 0.8, lo: 0.2, hi: 1, n: 3 },
    { scope: 'within-model', model: 'ban', measure: 'encoding', spearman: 1, lo: null, hi: null, n: 3 },
  ]);
  t.deepEqual(d.alignment?.srDifferences, [{ a: 'ban@best', b: 'cnn', difference: 0.02, lo: -0.01, hi: 0.05 }], 'paired s_r differences read');

  t.is(d.brainMaps.length, 2);
  t.is(
    d.brainMaps[0].mapName,
    'sub-01_task-test_desc-banbestBest_r.nii.gz',
    'the best-layer r map the index names, not a per-area, per-iteration or alpha map',
  );
  t.is(d.brainMaps[0].title, 'held-out Pearson r on the mean of 2 test runs: ban, best layer per voxel by training CV', 'title from the map sidecar');
  t.is(d.brainMaps[0].backgroundBase64, null, 'no background without --bids');
  t.deepEqual(
    d.provenance.map((p) => p.key),
    ['bbbb', 'eeee', 'cccc', 'dddd', 'aaaa'].sort((x, y) => {
      const st: Record<string, string> = { aaaa: 'train', bbbb: 'train', cccc: 'encode', dddd: 'encode', eeee: 'align' };
      return st[x] === st[y] ? x.localeCompare(y) : st[x].localeCompare(st[y]);
    }),
  );
  t.is(d.identification, null, 'no decode-eeg input: section empty');
});

test('an artifact of a stage without a report section adds only its provenance', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const feats = artifact(root, 'features', 'ffff', { model: 'ban' }, (dd) => writeTsv(path.join(dd, 'stimuli.tsv'), ['stim_id'], [{ stim_id: 'c1' }]));
  const d = readReportData('ban-bas', [feats], { seed: 0, tmpDir: root });
  t.deepEqual(
    d.provenance.map((p) => p.stage),
    ['features'],
  );
  t.deepEqual([d.training, d.bas, d.brainMaps, d.roiScores, d.areaRoi, d.alignment], [[], [], [], null, null, null]);
});

test('encodings of several models are reported side by side (model · area), never averaged together', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const ban = artifact(root, 'encode', 'e1', {}, (d) => encodeFiles(d, '01', 1, 'ban'));
  const cnn = artifact(root, 'encode', 'e2', {}, (d) => encodeFiles(d, '01', 2, 'cnn'));
  const d = readReportData('alignment', [ban, cnn], { seed: 0, tmpDir: root });
  const a1 = d.roiScores?.rows.filter((r) => r.roi === 'A1' && r.group.endsWith('A1'));
  t.deepEqual(
    a1?.map((r) => [r.group, r.score]),
    [
      ['ban · A1', 0.5],
      ['cnn · A1', 1],
    ],
  );
});

test('display window: 99th percentile of positive voxels and 20 % of it; background = time mean of the BOLD run', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const enc = artifact(root, 'encode', 'cccc', {}, (d) => encodeFiles(d, '01', 1));
  const w = mapWindow(path.join(enc, 'sub-01', 'func', 'sub-01_task-test_desc-banbestBest_r.nii.gz'));
  t.true(Math.abs(w.calMax - 1.0) < 1e-6, `99th percentile of 0.01…1.00 (index 99 of 100) = 1.00, got ${w.calMax}`);
  t.true(Math.abs(w.calMin - 0.2) < 1e-6);
  const bids = path.join(root, 'bids');
  const dims = [5, 4, 5, 6];
  const n = 100;
  const bold = new Float32Array(n * 6);
  for (let tt = 0; tt < 6; tt++) for (let v = 0; v < n; v++) bold[tt * n + v] = 100 + v + (tt - 2.5) * 3;
  writeNifti(path.join(bids, 'sub-01', 'func', 'sub-01_task-test_run-1_bold.nii.gz'), {
    dims,
    data: bold,
    affine: [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1],
    pixdim: [2, 2, 2, 1.5],
  });
  const d = readReportData('ban-bas', [enc], { seed: 0, bids, tmpDir: root });
  const m = d.brainMaps[0];
  t.is(m.backgroundKind, 'mean EPI');
  const back = path.join(root, 'back.nii.gz');
  fs.writeFileSync(back, Buffer.from(m.backgroundBase64 ?? '', 'base64'));
  const img = loadNifti(back);
  t.deepEqual(img.dims.slice(0, 3), [5, 4, 5]);
  const data = img.getData();
  let worst = 0;
  for (let v = 0; v < n; v++) worst = Math.max(worst, Math.abs(data[v] - (100 + v)));
  t.true(worst < 1e-4, `mean EPI differs from the planted mean by ${worst}`);
  t.deepEqual([...img.affine].slice(0, 4), [2, 0, 0, 0], 'the BOLD affine is kept');
});

test('decode-eeg outputs: pooled rows of the group table, mean combination rule, confusions summed over subjects, training averaged over folds', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const eeg = artifact(root, 'decode-eeg', 'ffff', { windows: [2, 4] }, (dd) => eegFiles(dd));
  const d = readReportData('eeg-identification', [eeg], { seed: 0, tmpDir: root });
  const id = d.identification;
  t.is(id?.chance, 0.1);
  t.is(id?.nCandidates, 10);
  t.deepEqual([...new Set(id?.rows.map((r) => `${r.decoder}/${r.subject}`))], ['predann/all', 'regression/all'], 'only pooled rows');
  t.is(id?.rows.length, 4, 'the max-combination rows are left out');
  const r = id?.rows.find((x) => x.decoder === 'regression' && x.window === 4);
  t.true(Math.abs((r?.accuracy ?? 0) - 0.66) < 1e-6, `pooled accuracy ${r?.accuracy}`);
  t.is(r?.n, 40);
  t.deepEqual(id?.confusions, [
    {
      decoder: 'predann',
      split: 'random-chunk',
      songs: ['s2', 's1'],
      counts: [
        [8, 0],
        [2, 6],
      ],
    },
  ]);
  t.is(d.training.length, 1);
  t.is(d.training[0].model, 'EEG predann (random-chunk)');
  t.deepEqual(
    d.training[0].epochs.map((e) => e.train_loss),
    [3.5, 2.5, 1.5],
    'mean over the two folds',
  );
  t.is(d.brainMaps.length, 0);
  const marks = Object.fromEntries(
    buildSections(d)
      .flatMap((s) => s.figures)
      .map((f) => [f.id, f.marks]),
  );
  t.is(marks['identification-window'], 4);
  t.is(marks['identification-confusion-predann-random-chunk'], 4);
  // A decode-eeg run that scored no windows writes header-only tables: section "not run", and the page says why.
  const empty = artifact(root, 'decode-eeg', 'empty', {}, (dd) => eegFiles(dd, true));
  const de = readReportData('eeg-identification', [empty], { seed: 0, tmpDir: root });
  t.is(de.identification, null);
  t.deepEqual(de.notices, ['decode-eeg artifact empty has identification tables without usable rows (no scored windows).']);
});

test('files not in their stage’s format are InputErrors naming the file: no other spelling of a column is read', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const ok = { accuracy: 0.6, clipAccuracy: 0.7, p: 0.01 };
  const conf = (d: string, rows: Record<string, string | number>[]): void =>
    writeTsv(path.join(d, 'eval', 'confusion.tsv'), ['true_genre', 'blues', 'jazz'], rows);
  const cases: [string, string, (dir: string) => void, RegExp][] = [
    [
      'train',
      'confusion.tsv',
      (d) => {
        trainFiles(d, ok);
        conf(d, [
          { true_genre: 'blues', blues: 1.5, jazz: 0 },
          { true_genre: 'jazz', blues: 0, jazz: 1 },
        ]);
      },
      /column "blues": an integer is required, got "1\.5"/,
    ],
    [
      'train',
      'confusion.tsv',
      (d) => {
        trainFiles(d, ok);
        conf(d, [
          { true_genre: 'jazz', blues: 1, jazz: 0 },
          { true_genre: 'blues', blues: 0, jazz: 1 },
        ]);
      },
      /same genres as the columns/,
    ],
    [
      'train',
      'metrics.tsv',
      (d) => {
        trainFiles(d, ok);
        fs.writeFileSync(path.join(d, 'metrics.tsv'), 'epoch\ttrain_loss\ttrain_acc\tval_loss\tval_acc\nfirst\t1\t1\t1\t1\n');
      },
      /"first" is not a number/,
    ],
    [
      'train',
      'per_genre.tsv',
      (d) => {
        trainFiles(d, ok);
        writeTsv(path.join(d, 'eval', 'per_genre.tsv'), ['genre', 'precision', 'recall', 'support'], [{ genre: 'blues', precision: 1, recall: 1, support: 3 }]);
      },
      /no "n" column/,
    ],
    [
      'train',
      'summary.json',
      (d) => {
        trainFiles(d, ok);
        fs.writeFileSync(path.join(d, 'eval', 'summary.json'), '{"accuracy": ');
      },
      /not valid JSON/,
    ],
    [
      'train',
      'summary.json',
      (d) => {
        trainFiles(d, ok);
        const f = path.join(d, 'eval', 'summary.json');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"clip_accuracy"', '"clipAccuracy"'));
      },
      /clip_accuracy/,
    ],
    [
      'decode-eeg',
      'desc-identification_scores.tsv',
      (d) => {
        eegFiles(d);
        const f = path.join(d, 'group', 'desc-identification_scores.tsv');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/\t0\.41\t/, '\t1.5\t'));
      },
      /fraction in \[0, 1\]/,
    ],
    [
      'decode-eeg',
      'desc-identification_scores.tsv',
      (d) => {
        eegFiles(d);
        writeTsv(
          path.join(d, 'group', 'desc-identification_scores.tsv'),
          ['subject', 'window_s', 'accuracy'],
          [{ subject: 'all', window_s: 2, accuracy: 0.5 }],
        );
      },
      /no "decoder", "split", "combine"/,
    ],
    [
      'align',
      'bas.tsv',
      (d) => {
        alignFiles(d);
        writeTsv(
          path.join(d, 'bas.tsv'),
          ['model', 'checkpoint', 'score', 'estimate', 'ci_lo', 'ci_hi', 'se'],
          [{ model: 'x', checkpoint: null, score: 'brainscore', estimate: 0.1 }],
        );
      },
      /expected s_r, s_b or bas/,
    ],
    [
      'align',
      'area_roi.tsv',
      (d) => {
        alignFiles(d);
        writeTsv(
          path.join(d, 'area_roi.tsv'),
          ['model', 'checkpoint', 'area', 'roi', 'median_r', 'ceiling', 'r_norm'],
          [{ model: 'x', area: 'A1', roi: 'A1', r_norm: 'high' }],
        );
      },
      /"high" is not a number/,
    ],
    [
      'align',
      'alignment.tsv',
      (d) => {
        alignFiles(d);
        writeTsv(path.join(d, 'alignment.tsv'), ['model', 'bas'], [{ model: 'x', bas: 0.1 }]);
      },
      /no "checkpoint", "epoch", "final", "alignment", "rsa", "performance", "n_test_clips" columns/,
    ],
    [
      'align',
      'summary.json',
      (d) => {
        alignFiles(d);
        writeJsonAtomic(path.join(d, 'summary.json'), { groups: [] });
      },
      /level/,
    ],
    [
      'encode',
      'roi.tsv',
      (d) => {
        encodeFiles(d, '01', 1);
        const f = path.join(d, 'sub-01', 'func', 'sub-01_desc-banbest_roi.tsv');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('median_r_norm', 'medianRNorm'));
      },
      /no "median_r_norm" column/,
    ],
  ];
  cases.forEach(([stage, file, write, problem], i) => {
    const dir = artifact(root, stage, `k${i}`, { name: 'm' }, write);
    const e = t.throws(() => readReportData('ban-bas', [dir], { seed: 0, tmpDir: root }), { instanceOf: InputError });
    t.true(e?.where.endsWith(file), `case ${i}: error names ${e?.where}`);
    t.regex(e?.problem ?? '', problem, `case ${i}`);
  });
  t.throws(() => readReportData('ban-bas', [path.join(root, 'missing.json')], { seed: 0, tmpDir: root }), {
    instanceOf: InputError,
    message: /no such stamp or artifact/,
  });
});

test('brainalign report: a page and SVGs in the artifact, published under reports/, stamp written, up to date on re-run', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const out = path.join(root, 'derivatives');
  const train = artifact(out, 'train', 'aaaa', { name: 'ban' }, (d) => trainFiles(d, { accuracy: 0.79, clipAccuracy: 0.9, p: 0.001 }));
  const eeg = artifact(out, 'decode-eeg', 'ffff', {}, (d) => eegFiles(d));
  const stamp = path.join(root, 'stamps', 'report.json');
  // dist/ may predate the report verb: run the sources.
  process.env.BRAINALIGN_TEST_SOURCES = '1';
  const env = {};
  // The train artifact given twice (folder and stamp) is read once.
  const trainStamp = path.join(root, 'stamps', 'train.json');
  writeJsonAtomic(trainStamp, { stage: 'train', key: 'aaaa', dir: path.relative(path.dirname(trainStamp), train) });
  const args = ['report', '--study', 'eeg-identification', '--inputs', train, eeg, trainStamp, '--out', out, '--stamp', stamp, '--no-png'];
  const r = runCli(args, { env });
  t.is(r.code, 0, r.stderr);
  const page = path.join(out, 'reports', 'eeg-identification.html');
  t.is(r.stdout.trim(), page);
  const html = fs.readFileSync(page, 'utf8');
  t.regex(html, /data-figure="identification-window" data-marks="4"/);
  t.regex(html, /data-figure="training-eeg-predann-random-chunk-loss" data-marks="3"/);
  t.regex(html, /data-figure="training-ban-confusion" data-marks="9"/);
  t.is((html.match(/data-figure="training-ban-loss"/g) ?? []).length, 1, 'one training section per artifact');
  t.regex(html, /PNG export not requested/);
  t.regex(html, /artifacts\/decode-eeg\/ffff/, 'provenance paths relative to the derivatives root');
  t.true(fs.existsSync(path.join(out, 'reports', 'figures', 'eeg-identification_identification-window.svg')));
  const s = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { stage: string };
  t.is(s.stage, 'report');
  const again = runCli(args, { env });
  t.is(again.code, 0);
  t.regex(again.stderr, /up to date/);
  const bad = runCli(['report', '--study', 'ban-bas', '--inputs', path.join(root, 'nope'), '--out', out, '--no-png'], { env });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^brainalign: .*nope: --inputs: no such stamp or artifact/);
});
