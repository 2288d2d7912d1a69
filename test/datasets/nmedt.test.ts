/**
 * NMED-T read from its MATLAB files, on a replica Python writes with NMED-T's
 * names (song<N>_Imputed.mat with data<N> electrodes × time × participants,
 * fs, subs<N>; raw <PP>_<S>_raw.mat with X and NetStation's DIN_1 cell), in
 * both MAT generations. Planted signals are known sample by sample, so every
 * segment can be checked against the formula that made it.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { eegPrepConfigSchema, type EegPrepConfig } from '../../src/signal/eeg/prep.js';
import { nmedtConfigSchema } from '../../src/decoding/sources/config.js';
import { prepareNmedtCleaned, prepareNmedtRaw } from '../../src/decoding/sources/nmed-t.js';
import { readNpy } from '../../src/io/npy.js';
import { InputError } from '../../src/core/errors.js';

const root = tmpDir('brainalign-nmedt-');
const truth = JSON.parse(
  execFileSync('/usr/bin/python3', ['-W', 'ignore', path.join(REPO, 'test', 'helpers', 'nmedt_replica.py'), root], { encoding: 'utf8' }),
) as {
  durations: Record<string, number>;
  raw_onsets: Record<string, Record<string, number>>;
};
test.after.always(() => fs.rmSync(root, { recursive: true, force: true }));

const FS = 125;
const N_EL = 8;
const SONGS = [21, 22, 23];
const nmedt = nmedtConfigSchema.parse({ songs: SONGS });

/** The replica's cleaned signal (test/helpers/nmedt_replica.py), average-referenced. */
function planted(song: number, pid: number, t: number): number[] {
  const s = t / FS;
  const x = Array.from(
    { length: N_EL },
    (_, e) =>
      Math.sin(2 * Math.PI * (1 + pid / 10) * s + e) * (song - 20) + 0.5 * Math.sin(2 * Math.PI * 40 * s + 0.3 * e) + 0.1 * e * Math.cos(2 * Math.PI * 3 * s),
  );
  const m = x.reduce((a, b) => a + b, 0) / N_EL;
  return x.map((v) => v - m);
}

/** Already-cleaned data: no notch, no band-pass, no detection, native rate, µV kept. */
const cleanPrep = (over: Partial<EegPrepConfig> = {}): EegPrepConfig =>
  eegPrepConfigSchema.parse({ notchHz: [], bandpassHz: null, badChannels: { detect: false }, rate: FS, robustScale: false, ...over });

test('cleaned files (zlib v7, v7.3 with shuffled subs22, plain v5): every segment equals data<N>[:, 25 : 25+L, participant] sample for sample', async (t) => {
  const prep = cleanPrep();
  const r = await prepareNmedtCleaned(root, '02', nmedt, prep);
  const minDur = Math.min(...Object.values(truth.durations));
  const L = Math.round((minDur - prep.shiftSec) * FS);
  t.deepEqual(r.segments.stimIds, ['song21', 'song22', 'song23']);
  t.is(r.segments.nT, L);
  t.is(r.segments.nCh, N_EL);
  t.deepEqual(
    r.channels,
    Array.from({ length: N_EL }, (_, i) => `E${i + 1}`),
  );
  t.deepEqual(r.sources, ['song21_Imputed.mat', 'song22_Imputed.mat', 'song23_Imputed.mat']);
  const i0 = Math.round(prep.shiftSec * FS);
  let maxErr = 0;
  SONGS.forEach((song, s) => {
    for (let k = 0; k < L; k++) {
      const want = planted(song, 2, i0 + k);
      for (let e = 0; e < N_EL; e++) maxErr = Math.max(maxErr, Math.abs(r.segments.data[(s * N_EL + e) * L + k] - want[e]));
    }
  });
  t.true(maxErr < 1e-5, `max error ${maxErr}`);
});

/** Amplitude of the f-Hz sinusoid in x (least squares on sin and cos). */
function amplitude(x: Float32Array, f: number, rate: number): number {
  let s = 0,
    c = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * Math.sin((2 * Math.PI * f * i) / rate);
    c += x[i] * Math.cos((2 * Math.PI * f * i) / rate);
  }
  return (2 / x.length) * Math.hypot(s, c);
}

test('band-pass switchable off: the planted 40 Hz component (amplitude 0.456 on E1 after the average reference) survives with bandpassHz null and is cut at least 20-fold by 0.5–30 Hz', async (t) => {
  // 0.5·|1 − mean_e exp(0.3·i·e)| over the 8 electrodes = 0.4561 (the average reference removes part of it).
  const want = 0.4561;
  const off = await prepareNmedtCleaned(root, '01', nmedt, cleanPrep());
  const on = await prepareNmedtCleaned(root, '01', nmedt, cleanPrep({ bandpassHz: [0.5, 30] }));
  const L = off.segments.nT;
  const aOff = amplitude(off.segments.data.subarray(0, L), 40, FS);
  const aOn = amplitude(on.segments.data.subarray(0, L), 40, FS);
  t.true(Math.abs(aOff - want) < 0.01, `off: ${aOff} vs ${want}`);
  t.true(aOn < 0.05 * want, `on: ${aOn} vs ${want}`);
});

test('raw files: song onsets from DIN_1 (1-based samples), the non-song DIN1 ignored, sessions in v7 and v7.3 concatenated', async (t) => {
  const prep = cleanPrep({ rate: 1000 });
  const r = await prepareNmedtRaw(root, '01', nmedt, prep);
  t.deepEqual(r.segments.stimIds, ['song21', 'song23', 'song22']);
  const on = truth.raw_onsets;
  const onsets = [on['01_1_raw.mat'].song21, on['01_1_raw.mat'].song23, on['01_2_raw.mat'].song22];
  // A song lasts until the next song or the end: 30−2, 60−30, 25−1.5 s; segments are cut to the shortest.
  t.is(r.segments.nT, Math.round((23.5 - prep.shiftSec) * 1000));
  // Channel 0 holds the sample index and the other five zero: after the average reference, 5/6 of it.
  onsets.forEach((o, s) => {
    const i0 = Math.round((o + prep.shiftSec) * 1000);
    t.true(Math.abs(r.segments.data[s * r.segments.nCh * r.segments.nT] - (5 / 6) * i0) < 1e-2, `segment ${s}`);
    t.true(Math.abs(r.segments.starts[s] - i0 / 1000) < 1e-9);
  });
});

test('refusals: detection on (no positions), an unknown participant, a missing song file — one-line InputErrors', async (t) => {
  const e1 = await t.throwsAsync(
    prepareNmedtCleaned(root, '01', nmedt, cleanPrep({ badChannels: eegPrepConfigSchema.shape.badChannels.parse({ detect: true }) })),
  );
  t.true(e1 instanceof InputError && e1.where === 'prep.badChannels.detect');
  const e2 = await t.throwsAsync(prepareNmedtCleaned(root, '09', nmedt, cleanPrep()));
  t.regex(e2?.message ?? '', /subs21: no participant 09 among P01, P02, P03, P04/);
  const e3 = await t.throwsAsync(prepareNmedtCleaned(root, '01', nmedtConfigSchema.parse({ songs: [21, 24] }), cleanPrep()));
  t.regex(e3?.message ?? '', /no song24_Imputed\.mat/);
});

test('eeg-prep CLI with input.format "nmed-t": segments × electrodes × time .npy and sidecar; a bad config exits 2 with one line', (t) => {
  const out = tmpDir('brainalign-nmedt-out-');
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
  const cfg = path.join(out, 'cfg.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      input: { format: 'nmed-t', nmedt: { songs: SONGS } },
      prep: { notchHz: [], bandpassHz: null, badChannels: { detect: false }, rate: FS, robustScale: false },
    }),
  );
  const r = runCli(['eeg-prep', '--bids', root, '--subject', '03', '--config', cfg, '--out', out, '--quiet']);
  t.is(r.code, 0, r.stderr);
  const stem = path.join(out, 'sub-03', 'eeg', 'sub-03_task-nmedt_desc-segments_eeg');
  const npy = readNpy(`${stem}.npy`);
  t.deepEqual(npy.shape, [3, N_EL, 2225]);
  const side = JSON.parse(fs.readFileSync(`${stem}.json`, 'utf8')) as { stim_ids: string[]; rate_hz: number };
  t.deepEqual(side.stim_ids, ['song21', 'song22', 'song23']);
  t.is(side.rate_hz, FS);
  fs.writeFileSync(cfg, JSON.stringify({ input: { format: 'nmed-t', nmedt: { songs: SONGS } } }));
  const bad = runCli(['eeg-prep', '--bids', root, '--subject', '03', '--config', cfg, '--out', out]);
  t.is(bad.code, 2);
  t.deepEqual(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  t.regex(bad.stderr, /^brainalign: prep\.badChannels\.detect: NMED-T files carry no electrode positions/);
});
