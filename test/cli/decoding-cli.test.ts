/**
 * The EEG stage verbs on a tiny synthetic study (3 genres × 2 clips × 6 s,
 * one responder + one control, 16 channels at 128 Hz), run as a user would:
 * `eeg-prep` per subject finds the planted flat and noisy channels and writes
 * segments in presentation order; a re-run is "up to date"; `decode-eeg`
 * writes the per-subject scores TSV (issue columns, chance 1/6), confusion
 * counts, figure data and the CNN training log; bad options exit 2 with one line.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateStudy, synthConfigSchema } from '../../src/synth/index.js';
import { readNpy } from '../../src/io/npy.js';
import { readTsv } from '../../src/io/tsv.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { defined } from '../helpers/defined.js';

const env = { BRAINALIGN_TEST_SOURCES: '1' };

test('eeg-prep → decode-eeg on the mini-study', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bids = path.join(dir, 'study');
  const study = generateStudy(
    synthConfigSchema.parse({
      stimuli: { genres: ['classical', 'metal', 'reggae'], clipsPerGenre: 2, clipSec: 6 },
      fmri: { subjects: 0 },
      eeg: { subjects: 1, channels: 16, rate: 128, responseSnr: 1 },
      behaviour: { subjects: 0 },
    }),
    3,
    bids,
  );
  const out = path.join(dir, 'deriv');
  const cfgFile = path.join(dir, 'eeg.json');
  fs.writeFileSync(
    cfgFile,
    JSON.stringify({
      prep: { rate: 64 },
      decode: {
        windowSec: 2,
        hopSec: 1,
        evalWindowsSec: [2, 4],
        nBoot: 50,
        nPerm: 50,
        regression: { lagStep: 4, alphas: [100, 1e4] },
        encoder: { filters: [4, 8], kernel: [3, 5], poolTime: 4, patience: 2 },
        audio: { filters: [4, 8, 8, 8] },
      },
    }),
  );
  const stamps: string[] = [];
  for (const sub of study.eeg) {
    const label = sub.id.slice(4);
    const stamp = path.join(out, 'stamps', `eeg-prep_${sub.id}.json`);
    const r = runCli(['eeg-prep', '--bids', bids, '--subject', label, '--config', cfgFile, '--out', out, '--stamp', stamp, '--quiet'], { env });
    t.is(r.code, 0, r.stderr);
    stamps.push(stamp);
    const stem = path.join(out, sub.id, 'eeg', `${sub.id}_task-listen_desc-segments_eeg`);
    const side = JSON.parse(fs.readFileSync(`${stem}.json`, 'utf8')) as {
      bad_channels: string[];
      stim_ids: string[];
      rate_hz: number;
      shift_s: number;
      shape: number[];
    };
    t.deepEqual([...side.bad_channels].sort(), [sub.artefacts.flatChannel, sub.artefacts.noisyChannel].sort());
    t.deepEqual(
      side.stim_ids,
      sub.order.map((i) => study.stimuli[i].id),
    );
    t.is(side.rate_hz, 64);
    t.is(side.shift_s, 0.2);
    const arr = readNpy(`${stem}.npy`);
    t.deepEqual(arr.shape, [6, 16, 6 * 64]);
    t.true(Array.from(arr.data as Float32Array).every((v) => Math.abs(v) <= 20));
    const bad = readTsv(path.join(out, sub.id, 'eeg', `${sub.id}_task-listen_desc-badchannels_channels.tsv`));
    t.is(
      defined(
        bad.rows.find((row) => row.name === sub.artefacts.flatChannel),
        "the flat channel's row",
      ).status,
      'flat',
    );
    t.is(
      defined(
        bad.rows.find((row) => row.name === sub.artefacts.noisyChannel),
        "the noisy channel's row",
      ).status,
      'noisy',
    );
  }
  const again = runCli(['eeg-prep', '--bids', bids, '--subject', study.eeg[0].id.slice(4), '--config', cfgFile, '--out', out], { env });
  t.regex(again.stdout, /up to date/);

  const dec = runCli(
    [
      'decode-eeg',
      '--segments',
      ...stamps,
      '--target',
      'envelope',
      '--stimuli',
      path.join(bids, 'stimuli'),
      '--config',
      cfgFile,
      '--decoders',
      'regression,mtrf-envelope,predann,predann-noann',
      '--splits',
      'time-block,loso',
      '--epochs',
      '2',
      '--out',
      out,
      '--stamp',
      path.join(out, 'stamps', 'decode-eeg.json'),
      '--quiet',
    ],
    { env },
  );
  t.is(dec.code, 0, dec.stderr);
  for (const sub of study.eeg) {
    const scores = readTsv(path.join(out, sub.id, 'eeg', `${sub.id}_desc-identification_scores.tsv`));
    for (const c of ['decoder', 'split', 'window_s', 'combine', 'top1', 'top1_lo', 'top1_hi', 'topk', 'chance', 'p_perm'])
      t.true(scores.columns.includes(c), c);
    t.deepEqual([...new Set(scores.rows.map((r) => r.decoder))].sort(), ['mtrf-envelope', 'predann', 'predann-noann', 'regression']);
    t.true(scores.rows.every((r) => Math.abs(Number(r.chance) - 1 / 6) < 1e-5));
    t.true(fs.existsSync(path.join(out, sub.id, 'eeg', `${sub.id}_desc-identification_scores.json`)));
    const conf = readTsv(path.join(out, sub.id, 'eeg', `${sub.id}_desc-identification_confusion.tsv`));
    t.true(conf.rows.length > 0);
  }
  const curve = JSON.parse(fs.readFileSync(path.join(out, 'group', 'desc-identification_curve.json'), 'utf8')) as { series: { window_s: number[] }[] };
  t.true(curve.series.length > 0 && curve.series.every((s) => s.window_s.length >= 1));
  // Confusions for every window length, and per-song accuracy whose items add up to the pooled rows.
  const confs = readTsv(path.join(out, 'group', 'desc-identification_confusions.tsv'));
  t.deepEqual([...new Set(confs.rows.map((r) => Number(r.window_s)))].sort(), [2, 4]);
  const perSong = readTsv(path.join(out, 'group', 'desc-identification_persong.tsv'));
  const group = readTsv(path.join(out, 'group', 'desc-identification_scores.tsv'));
  const pooled = defined(
    group.rows.find((r) => r.subject === 'all' && r.decoder === 'regression' && r.split === 'loso' && r.window_s === '2' && r.combine === 'mean'),
    'the pooled LOSO regression row at 2 s',
  );
  const songRows = perSong.rows.filter((r) => r.decoder === 'regression' && r.split === 'loso' && r.window_s === '2' && r.combine === 'mean');
  t.is(songRows.length, 6);
  t.is(
    songRows.reduce((s, r) => s + Number(r.n_items), 0),
    Number(pooled.n_items),
  );
  t.true(Math.abs(songRows.reduce((s, r) => s + Number(r.n_items) * Number(r.top1), 0) / Number(pooled.n_items) - Number(pooled.top1)) < 1e-6);
  const train = readTsv(path.join(out, 'group', 'desc-identification_training.tsv'));
  t.true(train.rows.length >= 2);

  const bad = runCli(['decode-eeg', '--segments', stamps[0], '--out', out], { env });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^brainalign: --features: give --features/m);
});
