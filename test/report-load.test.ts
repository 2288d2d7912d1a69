/**
 * Loaders from stage artifacts to ReportData, on fixture artifact folders
 * written with the project's own writers: values come back as written
 * (per-area CV rows chosen over per-iteration rows, subjects averaged, the
 * 'mean' window-combination rule chosen), the mean-EPI background equals the
 * time average of the BOLD run, absent sections stay empty, malformed files
 * are InputErrors naming the file, and `brainalign report` runs end to end.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTsv } from '../src/io/tsv.js';
import { writeJsonAtomic } from '../src/core/atomic.js';
import { loadNifti, writeNifti } from '../src/io/nifti.js';
import { InputError } from '../src/core/errors.js';
import { loadReportData, mapWindow } from '../src/report/load.js';
import { buildSections } from '../src/report/sections.js';
import { runCli } from './helpers/cli.js';
import { alignFiles, artifact, CLASSES, eegFiles, encodeFiles, trainFiles } from './helpers/report-artifacts.js';
import { tmpDir } from './helpers/tmp.js';

test('ban-bas inputs load into a typed report with the values written', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const train = artifact(root, 'train', 'aaaa', { name: 'ban', epochs: 3 }, (d) => {
    trainFiles(d, 'library');
    // A checkpoint folder with its own (partial) metrics must not shadow the run's.
    writeTsv(path.join(d, 'checkpoints', 'epoch-0000', 'metrics.tsv'), ['epoch', 'train_loss'], [{ epoch: 0, train_loss: 9 }]);
  });
  const cnn = artifact(root, 'train', 'bbbb', { arch: 'cnn' }, (d) => trainFiles(d, 'eval'));
  const enc1 = artifact(root, 'encode', 'cccc', { subject: '01' }, (d) => encodeFiles(d, '01', 1));
  const enc2 = artifact(root, 'encode', 'dddd', { subject: '02' }, (d) => encodeFiles(d, '02', 2));
  const align = artifact(root, 'align', 'eeee', { nBoot: 100 }, alignFiles);
  const stamp = path.join(root, 'stamps', 'train-ban.json');
  writeJsonAtomic(stamp, { stage: 'train', key: 'aaaa', dir: path.relative(path.dirname(stamp), train) });
  const d = loadReportData('ban-bas', [stamp, cnn, enc1, enc2, align], { seed: 5, tmpDir: root });

  const ban = d.training.find((x) => x.model === 'ban');
  const c = d.training.find((x) => x.model === 'cnn');
  t.deepEqual(ban?.classes, CLASSES);
  t.deepEqual(ban?.confusion, [[5, 1, 0], [0, 4, 2], [1, 0, 6]]);
  t.is(ban?.epochs[0].val_loss, null, 'n/a stays missing');
  t.true(Math.abs((ban?.epochs[2].train_loss ?? 0) - 0.5) < 1e-6);
  t.is(ban?.bestEpoch, 2);
  t.is(ban?.clipAccuracy, 0.9);
  t.true(Math.abs((ban?.chance ?? 0) - 1 / 3) < 1e-12, 'chance = 1 / classes when the summary has none');
  t.is(c?.accuracy, 0.6);
  t.is(c?.clipAccuracy, 0.7);
  t.is(c?.perClass[2].support, 8);
  t.is(c?.clipP, 0.004);
  t.is(c?.confusionUnit, 'clips', 'the sidecar says the counts are clips');
  t.is(ban?.confusionUnit, 'windows');

  // ROI rows: the 'cv' rows, averaged over the two subjects (scales 1 and 2 → 1.5×).
  t.regex(d.roiScores?.measure ?? '', /mean over 2 subjects/);
  const a1 = d.roiScores?.rows.find((r) => r.group === 'A1' && r.roi === 'A1');
  t.true(Math.abs((a1?.score ?? 0) - 0.75) < 1e-6, `A1→A1 ${a1?.score}`);
  t.deepEqual(a1?.subjects.map((x) => Math.round(x * 1e6) / 1e6), [0.5, 1], 'the per-subject values behind the mean');
  const belt = d.roiScores?.rows.find((r) => r.group === 'A1' && r.roi === 'Belt');
  t.true(Math.abs((belt?.score ?? 0) - 0.3) < 1e-6);
  t.is(belt?.nVoxels, 22, 'voxel counts summed over subjects');

  // BAS per trained model (checkpoint rows belong to the alignment section); CI level from the sidecar.
  t.deepEqual(d.bas.map((b) => b.model), ['ban', 'cnn']);
  t.deepEqual(d.bas[0].sR, { estimate: 0.4, lo: 0.3, hi: 0.5 });
  t.deepEqual(d.bas[0].bas, { estimate: 0.5, lo: 0.45, hi: 0.56 });
  t.is(d.bas[1].bas, null, 'BAS not computed for cnn');
  t.is(d.bas[0].level, 0.9);
  t.deepEqual(d.bas[0].correspondence, { index: 0.25, p: 0.01 });
  t.deepEqual(d.bas[0].pairs, [{ area: 'A1', roi: 'A1', score: 0.5 }, { area: 'Belt', roi: 'Belt', score: 0.3 }]);
  t.deepEqual(d.areaRoi?.values, [0.5, 0.2, null, 0.3], 'the first trained model, not a checkpoint');
  t.deepEqual(d.areaRoi?.pairs, [{ area: 'A1', roi: 'A1' }, { area: 'Belt', roi: 'Belt' }]);
  t.deepEqual(d.alignment?.points.map((p) => [p.label, p.group, p.epoch, p.x, p.y, p.final]), [['ban epoch-0000', 'ban', 0, 0.3, 0.2, false], ['ban epoch-0005', 'ban', 5, 0.7, 0.5, false], ['ban', 'ban', null, 0.8, 0.45, true]], 'cnn has no performance: left out');
  t.deepEqual(d.alignment?.points.map((p) => p.y2), [0.1, 0.2, 0.2], 'RSA column read');
  t.deepEqual(d.alignment?.summary, [
    { scope: 'across-models', model: null, measure: 'encoding', spearman: 0.8, lo: 0.2, hi: 1, n: 3 },
    { scope: 'within-model', model: 'ban', measure: 'encoding', spearman: 1, lo: null, hi: null, n: 3 },
  ]);
  t.deepEqual(d.alignment?.srDifferences, [{ a: 'ban@best', b: 'cnn', difference: 0.02, lo: -0.01, hi: 0.05 }], 'paired s_r differences read');

  // The JSON form (one BasReport, optionally with its matrix) and a wide area × ROI table also load.
  const j = artifact(root, 'align', 'jjjj', {}, (dd) => {
    writeJsonAtomic(path.join(dd, 'bas.json'), { sR: { estimate: 0.4, lo: 0.3, hi: 0.5 }, sB: { estimate: 0.6, lo: 0.5, hi: 0.7 }, bas: { estimate: 0.5, lo: 0.4, hi: 0.6 }, pairScores: [{ area: 'A1', roi: 'A1', score: 0.5 }], matrix: { areas: ['A1', 'Belt'], rois: ['A1', 'Belt'], values: [0.5, 0.1, null, 0.4] } });
  });
  const dj = loadReportData('ban-bas', [j], { seed: 5, tmpDir: root });
  t.deepEqual(dj.areaRoi?.values, [0.5, 0.1, null, 0.4]);
  t.is(dj.bas[0].level, 0.95);
  const w = artifact(root, 'align', 'wwww', {}, (dd) => writeTsv(path.join(dd, 'area_roi.tsv'), ['area', 'A1', 'Belt'], [{ area: 'A1', A1: 0.5, Belt: 0.2 }, { area: 'Belt', A1: null, Belt: 0.3 }]));
  t.deepEqual(loadReportData('ban-bas', [w], { seed: 5, tmpDir: root }).areaRoi?.values, [0.5, 0.2, null, 0.3]);

  t.is(d.brainMaps.length, 2);
  t.is(d.brainMaps[0].mapName, 'sub-01_task-test_desc-banbestBest_r.nii.gz', 'the best-layer r map, not a per-area, per-iteration or alpha map');
  t.is(d.brainMaps[0].title, 'held-out Pearson r on the mean of 2 test runs: ban, best layer per voxel by training CV', 'title from the map sidecar');
  t.is(d.brainMaps[0].backgroundBase64, null, 'no background without --bids or a mean EPI in the artifact');
  t.deepEqual(d.provenance.map((p) => p.key), ['bbbb', 'eeee', 'cccc', 'dddd', 'aaaa'].sort((x, y) => {
    const st: Record<string, string> = { aaaa: 'train', bbbb: 'train', cccc: 'encode', dddd: 'encode', eeee: 'align' };
    return st[x] === st[y] ? x.localeCompare(y) : st[x].localeCompare(st[y]);
  }));
  t.is(d.identification, null, 'no decode-eeg input: section empty');
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
  writeNifti(path.join(bids, 'sub-01', 'func', 'sub-01_task-test_run-1_bold.nii.gz'), { dims, data: bold, affine: [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1], pixdim: [2, 2, 2, 1.5] });
  const d = loadReportData('ban-bas', [enc], { seed: 0, bids, tmpDir: root });
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
  const eeg = artifact(root, 'decode-eeg', 'ffff', { windows: [2, 4] }, eegFiles);
  const d = loadReportData('eeg-identification', [eeg], { seed: 0, tmpDir: root });
  const id = d.identification;
  t.is(id?.chance, 0.1);
  t.is(id?.nCandidates, 10);
  t.deepEqual([...new Set(id?.rows.map((r) => `${r.decoder}/${r.subject}`))], ['predann/all', 'regression/all'], 'only pooled rows');
  t.is(id?.rows.length, 4, 'the max-combination rows are left out');
  const r = id?.rows.find((x) => x.decoder === 'regression' && x.window === 4);
  t.true(Math.abs((r?.accuracy ?? 0) - 0.66) < 1e-6, `pooled accuracy ${r?.accuracy}`);
  t.is(r?.n, 40);
  t.deepEqual(id?.confusions, [{ decoder: 'predann', split: 'random-chunk', songs: ['s2', 's1'], counts: [[8, 0], [2, 6]] }]);
  t.is(d.training.length, 1);
  t.is(d.training[0].model, 'EEG predann (random-chunk)');
  t.deepEqual(d.training[0].epochs.map((e) => e.train_loss), [3.5, 2.5, 1.5], 'mean over the two folds');
  t.is(d.brainMaps.length, 0);
  const marks = Object.fromEntries(buildSections(d).flatMap((s) => s.figures).map((f) => [f.id, f.marks]));
  t.is(marks['identification-window'], 4);
  t.is(marks['identification-confusion-predann-random-chunk'], 4);
  // A decode-eeg run that scored no windows writes header-only tables: section "not run", and the page says why.
  const empty = artifact(root, 'decode-eeg', 'empty', {}, (dd) => writeTsv(path.join(dd, 'group', 'desc-identification_scores.tsv'), ['subject', 'window_s', 'top1', 'chance'], []));
  const de = loadReportData('eeg-identification', [empty], { seed: 0, tmpDir: root });
  t.is(de.identification, null);
  t.deepEqual(de.notices, ['decode-eeg artifact empty has identification tables without usable rows (no scored windows).']);
});

test('malformed artifact files are InputErrors naming the file', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const cases: [string, (dir: string) => void, RegExp][] = [
    ['confusion.tsv', (d) => { trainFiles(d, 'library'); writeTsv(path.join(d, 'confusion.tsv'), ['true_genre', 'blues', 'jazz'], [{ true_genre: 'blues', blues: 1.5, jazz: 0 }, { true_genre: 'jazz', blues: 0, jazz: 1 }]); }, /counts must be non-negative integers/],
    ['confusion.tsv', (d) => { trainFiles(d, 'library'); writeTsv(path.join(d, 'confusion.tsv'), ['true_genre', 'blues', 'jazz'], [{ true_genre: 'jazz', blues: 1, jazz: 0 }, { true_genre: 'blues', blues: 0, jazz: 1 }]); }, /same classes as the columns/],
    ['metrics.tsv', (d) => { fs.writeFileSync(path.join(d, 'metrics.tsv'), 'epoch\ttrain_loss\nfirst\t1\n'); }, /"first" is not a number/],
    ['metrics.tsv', (d) => { fs.writeFileSync(path.join(d, 'metrics.tsv'), 'epoch\tseconds\n0\t1\n'); }, /no loss or accuracy columns/],
    ['bas.json', (d) => { writeJsonAtomic(path.join(d, 'bas.json'), { sB: { estimate: 1, lo: 0, hi: 1 }, bas: { estimate: 1, lo: 0, hi: 1 } }); }, /sR/],
    ['bas.json', (d) => { fs.writeFileSync(path.join(d, 'bas.json'), '{"sR": '); }, /not valid JSON/],
    ['sub-01_desc-identification_scores.tsv', (d) => { writeTsv(path.join(d, 'sub-01_desc-identification_scores.tsv'), ['window_s', 'top1', 'chance'], [{ window_s: 2, top1: 1.5, chance: 0.1 }]); }, /fraction in \[0, 1\]/],
    ['sub-01_desc-identification_scores.tsv', (d) => { writeTsv(path.join(d, 'sub-01_desc-identification_scores.tsv'), ['window_s', 'top1'], [{ window_s: 2, top1: 0.5 }]); }, /chance/],
    ['alignment.tsv', (d) => { writeTsv(path.join(d, 'alignment.tsv'), ['model', 'bas'], [{ model: 'x', bas: 0.1 }]); }, /no performance column/],
    ['bas.tsv', (d) => { writeTsv(path.join(d, 'bas.tsv'), ['model', 'score', 'estimate'], [{ model: 'x', score: 'brainscore', estimate: 0.1 }]); }, /expected s_r, s_b or bas/],
    ['area_roi.tsv', (d) => { writeTsv(path.join(d, 'area_roi.tsv'), ['area', 'roi', 'r_norm'], [{ area: 'A1', roi: 'A1', r_norm: 'high' }]); }, /"high" is not a number/],
  ];
  cases.forEach(([file, write, problem], i) => {
    const dir = artifact(root, 'x', `k${i}`, {}, write);
    const e = t.throws(() => loadReportData('ban-bas', [dir], { seed: 0, tmpDir: root }), { instanceOf: InputError });
    t.true(e?.where.endsWith(file), `case ${i}: error names ${e?.where}`);
    t.regex(e?.problem ?? '', problem, `case ${i}`);
  });
  t.throws(() => loadReportData('ban-bas', [path.join(root, 'missing.json')], { seed: 0, tmpDir: root }), { instanceOf: InputError, message: /no such stamp or artifact/ });
});

test('brainalign report: a page and SVGs in the artifact, published under reports/, stamp written, up to date on re-run', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const out = path.join(root, 'derivatives');
  const train = artifact(out, 'train', 'aaaa', { name: 'ban' }, (d) => trainFiles(d, 'library'));
  const eeg = artifact(out, 'decode-eeg', 'ffff', {}, eegFiles);
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
