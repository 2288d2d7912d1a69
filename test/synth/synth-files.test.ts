/**
 * The generated mini-study as files: deterministic from the seed, BIDS-shaped,
 * and readable through brainalign's own readers with the values that were
 * simulated (reduced size: 3 genres × 2 clips × 3 s, one fMRI subject, one
 * EEG subject plus the control).
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanBids, selectFiles } from '../../src/io/bids.js';
import { readEdf } from '../../src/io/edf.js';
import { loadNifti, readMaskedTimeseries } from '../../src/io/nifti.js';
import { readNpy } from '../../src/io/npy.js';
import { readTsv } from '../../src/io/tsv.js';
import { readWav } from '../../src/io/wav.js';
import { renderRun } from '../../src/synth/fmri.js';
import { ATLAS_FILES, generateStudy, smallSynthConfig, type Study } from '../../src/synth/index.js';
import { setQuiet } from '../../src/core/progress.js';
import { tmpDir } from '../helpers/tmp.js';

setQuiet(true);

function hashTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(root, p), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

const dirs: string[] = [];
let studyA: Study;
let dirA = '';
let hashA = new Map<string, string>();
test.before(() => {
  dirA = tmpDir('synth-a-');
  dirs.push(dirA);
  studyA = generateStudy(smallSynthConfig(), 7, dirA);
  hashA = hashTree(dirA);
});
test.after.always(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('same seed → byte-identical files; another seed → different audio, BOLD and EEG', (t) => {
  const dirB = tmpDir('synth-b-');
  const dirC = tmpDir('synth-c-');
  dirs.push(dirB, dirC);
  generateStudy(smallSynthConfig(), 7, dirB);
  generateStudy(smallSynthConfig(), 8, dirC);
  const hashB = hashTree(dirB);
  const hashC = hashTree(dirC);
  t.true(hashA.size > 50, `${hashA.size} files`);
  t.deepEqual([...hashB.keys()].sort(), [...hashA.keys()].sort());
  for (const [k, h] of hashA) t.is(hashB.get(k), h, k);
  for (const k of ['stimuli/metal/metal.00000.wav', 'sub-01/func/sub-01_task-train_run-01_bold.nii.gz', 'sub-01/eeg/sub-01_task-listen_eeg.bdf']) {
    t.not(hashC.get(k), hashA.get(k), k);
  }
});

test('BIDS skeleton: description, participants, README, sidecars beside every TSV and BOLD run', (t) => {
  const dd = JSON.parse(fs.readFileSync(path.join(dirA, 'dataset_description.json'), 'utf8')) as { BIDSVersion: string; DatasetType: string };
  t.is(dd.DatasetType, 'raw');
  t.truthy(dd.BIDSVersion);
  t.true(fs.existsSync(path.join(dirA, 'README')));
  const parts = readTsv(path.join(dirA, 'participants.tsv'));
  t.deepEqual(
    parts.rows.map((r) => r.participant_id),
    ['sub-01', 'sub-02'],
  );
  t.is(parts.rows[1].eeg_group, 'control');
  for (const f of hashA.keys()) {
    if (f.endsWith('_bold.nii.gz')) t.true(hashA.has(f.replace('.nii.gz', '.json')), f);
    if (f.endsWith('_events.tsv')) t.true(hashA.has(f.replace('.tsv', '.json')), f);
  }
  const bold = JSON.parse(fs.readFileSync(path.join(dirA, 'sub-01/func/sub-01_task-test_run-02_bold.json'), 'utf8')) as {
    RepetitionTime: number;
    TaskName: string;
  };
  t.is(bold.RepetitionTime, 1.5);
  t.is(bold.TaskName, 'test');
  const eegJson = JSON.parse(fs.readFileSync(path.join(dirA, 'sub-01/eeg/sub-01_task-listen_eeg.json'), 'utf8')) as {
    SamplingFrequency: number;
    PowerLineFrequency: number;
  };
  t.is(eegJson.SamplingFrequency, 128);
  t.is(eegJson.PowerLineFrequency, 50);
});

test('stimuli read back through readWav equal the simulated 16-bit audio, and stimuli.tsv lists them', (t) => {
  const tsv = readTsv(path.join(dirA, 'stimuli', 'stimuli.tsv'));
  t.is(tsv.rows.length, studyA.stimuli.length);
  for (const [i, s] of studyA.stimuli.entries()) {
    t.is(tsv.rows[i].stim_id, s.id);
    t.is(tsv.rows[i].path, `stimuli/${s.genre}/${s.id}.wav`);
    t.true(Math.abs(Number(tsv.rows[i].tempo_bpm) - s.truth.tempoBpm) < 1e-3);
    const w = readWav(path.join(dirA, s.path));
    t.is(w.sampleRate, 22050);
    t.is(w.channels.length, 1);
    t.is(w.channels[0].length, 3 * 22050);
    let maxErr = 0;
    for (let k = 0; k < s.audio.length; k++) maxErr = Math.max(maxErr, Math.abs(w.channels[0][k] - s.audio[k]));
    t.true(maxErr < 1e-6, `${s.id}: ${maxErr}`);
  }
});

test('BOLD runs read back with TR 1.5 s, a 3 mm centred affine, baseline ≈ 1000 in the brain mask, and the simulated values', (t) => {
  const sub = studyA.fmri[0];
  const L = studyA.layout;
  const atlas = loadNifti(path.join(dirA, ATLAS_FILES.dseg));
  t.deepEqual(Array.from(atlas.getData()), Array.from(L.atlas));
  const mask = loadNifti(path.join(dirA, ATLAS_FILES.mask)).getData();
  const labels = readTsv(path.join(dirA, ATLAS_FILES.labels));
  t.deepEqual(
    labels.rows.map((r) => r.name),
    ['A1', 'Belt', 'Parabelt', 'T2/T3', 'Control'],
  );
  sub.runs.forEach((d, r) => {
    const file = path.join(dirA, 'sub-01', 'func', `sub-01_task-${d.task}_run-0${d.run}_bold.nii.gz`);
    const img = loadNifti(file);
    t.deepEqual(img.dims, [...L.dims, d.nVols]);
    t.is(img.pixdim[3], 1.5);
    t.is(img.affine[0], 3);
    // Voxel centre of the middle of the grid sits at the origin.
    t.true(Math.abs(img.affine[3] + ((L.dims[0] - 1) / 2) * 3) < 1e-4);
    const expected = renderRun(L, sub.brain, r, d, studyA.config.fmri, sub.rng.fork(`run-${r}`));
    const got = img.getData();
    let maxErr = 0;
    for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - expected[i]));
    t.is(maxErr, 0);
    const ts = readMaskedTimeseries(file, Uint8Array.from(mask));
    let s = 0;
    for (const v of ts.data) s += v;
    const mean = s / ts.data.length;
    t.true(mean > 900 && mean < 1100, `in-mask mean ${mean}`);
    const ev = readTsv(file.replace('_bold.nii.gz', '_events.tsv'));
    t.deepEqual(ev.columns, ['onset', 'duration', 'trial_type', 'stim_id', 'genre', 'track', 'start', 'end']);
    t.deepEqual(
      ev.rows.map((e) => e.stim_id),
      d.events.map((e) => studyA.stimuli[e.stim].id),
    );
  });
});

test('EEG reads back as BDF with Status triggers = stimulus index + 1 at the events.tsv onsets, and bad channels marked', (t) => {
  for (const sub of studyA.eeg) {
    const base = path.join(dirA, sub.id, 'eeg', `${sub.id}_task-listen`);
    const rec = readEdf(`${base}_eeg.bdf`);
    const eegSignals = rec.signals.filter((s) => s.label !== 'Status');
    t.deepEqual(
      eegSignals.map((s) => s.label),
      sub.planted.channels,
    );
    t.deepEqual(
      rec.triggers.map((x) => x.code),
      sub.order.map((st) => st + 1),
    );
    const ev = readTsv(`${base}_events.tsv`);
    rec.triggers.forEach((x, k) => t.true(Math.abs(x.onset - Number(ev.rows[k].onset)) < 1e-6));
    t.is(rec.annotations.filter((a) => a.text.startsWith('stim ')).length, sub.order.length);
    // 24-bit over ±262144 µV quantises to 0.03 µV.
    let maxErr = 0;
    eegSignals.forEach((s, c) => {
      for (let i = 0; i < sub.data[c].length; i++) maxErr = Math.max(maxErr, Math.abs(s.data[i] - sub.data[c][i]));
    });
    t.true(maxErr < 0.05, `max |Δ| ${maxErr} µV`);
    const ch = readTsv(`${base}_channels.tsv`);
    const bad = ch.rows
      .filter((r) => r.status === 'bad')
      .map((r) => r.name)
      .sort();
    t.deepEqual(bad, [sub.artefacts.flatChannel, sub.artefacts.noisyChannel].sort());
    const flat = eegSignals[sub.planted.channels.indexOf(sub.artefacts.flatChannel)].data;
    t.true(
      flat.every((v) => v === flat[0]),
      'flat channel is constant',
    );
  }
});

test('ground truth reads back: weights match the voxel lists, behaviour TSVs and the planted confusion matrix', (t) => {
  const tdir = path.join(dirA, 'derivatives', 'synth-truth');
  const b = studyA.fmri[0].brain;
  for (const sp of ['low', 'mid', 'abstract'] as const) {
    const w = readNpy(path.join(tdir, 'sub-01', 'func', `sub-01_space-${sp}_weights.npy`));
    const v = readNpy(path.join(tdir, 'sub-01', 'func', `sub-01_space-${sp}_voxels.npy`));
    t.deepEqual(w.shape, [b.weights[sp].voxels.length, studyA.spaces[sp].names.length]);
    t.deepEqual(Array.from(v.data as Int32Array), Array.from(b.weights[sp].voxels));
  }
  const truth = JSON.parse(fs.readFileSync(path.join(tdir, 'truth.json'), 'utf8')) as { eeg: { controlSubject: string } };
  t.is(truth.eeg.controlSubject, 'sub-02');
  const conf = readNpy(path.join(tdir, 'behaviour_confusion.npy'));
  t.deepEqual(conf.shape, [3, 3]);
  const beh = readTsv(path.join(dirA, 'sub-01', 'beh', 'sub-01_task-genre_beh.tsv'));
  t.deepEqual(beh.columns, ['stim_id', 'true_genre', 'response', 'rt']);
  t.is(beh.rows.length, studyA.stimuli.length);
  // Per-clip behavioural truth: partner genre, ambiguity and the skill-1 response distribution (rows sum to 1).
  const clips = readTsv(path.join(tdir, 'behaviour_clips.tsv'));
  t.deepEqual(clips.columns, ['stim_id', 'true_genre', 'partner_genre', 'ambiguity', 'partner_traits', 'p_classical', 'p_metal', 'p_reggae']);
  t.is(clips.rows.filter((r) => r.partner_genre !== 'n/a').length, Math.round(0.3 * studyA.stimuli.length));
  // The listeners' partner share is the share of the clip's 8 traits synthesised from the partner genre.
  for (const r of clips.rows) t.is(r.partner_traits === 'n/a' ? 0 : r.partner_traits.split(',').length, Math.round(8 * Number(r.ambiguity)), r.stim_id);
  for (const r of clips.rows) t.true(Math.abs(Number(r.p_classical) + Number(r.p_metal) + Number(r.p_reggae) - 1) < 1e-6, r.stim_id);
  const roi = readTsv(path.join(tdir, 'roi_expected.tsv'));
  t.deepEqual(
    roi.rows.map((r) => r.roi),
    ['A1', 'Belt', 'Parabelt', 'T2/T3', 'Control'],
  );
  t.is(Number(roi.rows[4].mean_r_ceiling), 0);
});

test('independent readers agree: nibabel sees 3 mm voxels at TR 1.5 s and the same affine, MNE finds the same BDF triggers', (t) => {
  const bold = path.join(dirA, 'sub-01/func/sub-01_task-train_run-01_bold.nii.gz');
  const bdf = path.join(dirA, 'sub-01/eeg/sub-01_task-listen_eeg.bdf');
  const py = `
import json, sys, mne, nibabel as nib
img = nib.load(sys.argv[1])
raw = mne.io.read_raw_bdf(sys.argv[2], preload=True, verbose='error')
ev = mne.find_events(raw, stim_channel='Status', shortest_event=1, verbose='error')
print(json.dumps({'zooms': [float(z) for z in img.header.get_zooms()], 'affine': img.affine.tolist(),
  'codes': ev[:, 2].tolist(), 'onsets': (ev[:, 0] / raw.info['sfreq']).tolist(), 'nch': len(raw.ch_names)}))`;
  const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, bold, bdf]).toString()) as {
    zooms: number[];
    affine: number[][];
    codes: number[];
    onsets: number[];
    nch: number;
  };
  t.deepEqual(out.zooms, [3, 3, 3, 1.5]);
  const A = studyA.layout.affine;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) t.true(Math.abs(out.affine[i][j] - A[i * 4 + j]) < 1e-4);
  const sub = studyA.eeg[0];
  t.deepEqual(
    out.codes,
    sub.order.map((s) => s + 1),
  );
  out.onsets.forEach((o, k) => t.true(Math.abs(o - sub.onsets[k]) < 1e-9));
  t.is(out.nch, sub.planted.channels.length + 1);
});

test('the BIDS scanner accepts the study without warnings and finds every BOLD run and EEG recording', (t) => {
  const ds = scanBids(dirA);
  t.deepEqual(ds.warnings, []);
  t.deepEqual(ds.subjects, ['01', '02']);
  t.is(selectFiles(ds, { suffix: 'bold' }).length, studyA.fmri[0].runs.length);
  t.is(selectFiles(ds, { suffix: 'eeg' }).length, studyA.eeg.length);
});
