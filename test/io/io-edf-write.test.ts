/**
 * Writer: planted signals and annotations written as EDF+C/BDF+C come back
 * within half a quantisation step from our reader AND from MNE 1.3
 * (read_raw_edf / read_raw_bdf, preload=True) run through /usr/bin/python3.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { readEdf, readEdfHeader, writeEdf, type EdfWriteInput } from '../../src/io/edf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edf-write-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MNE_READ = `
import sys, json, mne
mne.set_log_level('ERROR')
p = sys.argv[1]
raw = (mne.io.read_raw_bdf if p.endswith('.bdf') else mne.io.read_raw_edf)(p, preload=True)
d = raw.get_data() * 1e6
print(json.dumps({'ch': raw.ch_names, 'sfreq': raw.info['sfreq'], 'meas': raw.info['meas_date'].isoformat(),
  'ann': [[float(a['onset']), float(a['duration']), a['description']] for a in raw.annotations],
  'data': d.tolist()}))
`;
interface MneOut {
  ch: string[];
  sfreq: number;
  meas: string;
  ann: [number, number, string][];
  data: number[][];
}
function mneRead(file: string): MneOut {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', MNE_READ, file], { encoding: 'utf8', maxBuffer: 1 << 28 })) as MneOut;
}

/** Planted recording: a 10 Hz sine plus seeded noise per channel, all in µV. */
function planted(format: 'edf' | 'bdf', rate: number, seconds: number, recordDuration: number): EdfWriteInput {
  const rng = new Rng(20240611, `edf-write/${format}/${rate}`);
  const n = Math.round(rate * seconds);
  const signals = ['Fz', 'Cz', 'Pz'].map((label, c) => {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = 80 * Math.sin((2 * Math.PI * 10 * i) / rate + c) + 10 * rng.normal();
    return { label, unit: 'uV', rate, physMin: -250, physMax: 250, data, transducer: 'AgAgCl', prefilter: 'HP:0.1Hz LP:100Hz' };
  });
  return {
    format,
    startTime: new Date(Date.UTC(2023, 4, 17, 9, 30, 15)),
    patient: 'sub-01 X X X',
    recordDuration,
    signals,
    annotations: [
      { onset: 0.5, duration: 0.25, text: 'stimulus ü/1' },
      { onset: 3.125, text: 'button' },
      { onset: 7.75, duration: 1.5, text: '音楽 onset' },
    ],
  };
}

for (const format of ['edf', 'bdf'] as const) {
  test(`${format.toUpperCase()}+C written with full-width digital range reads back within half a step, in our reader and in MNE 1.3`, (t) => {
    const rec = planted(format, 500, 10, 1);
    const file = path.join(tmp, `planted.${format}`);
    writeEdf(file, rec);
    const h = readEdfHeader(file);
    t.is(h.variant, format === 'bdf' ? 'BDF+C' : 'EDF+C');
    const full = format === 'bdf' ? [-8388608, 8388607] : [-32768, 32767];
    for (const s of h.signals) t.deepEqual([s.digMin, s.digMax], full);
    const step = 500 / (full[1] - full[0]);
    const ours = readEdf(file);
    const mne = mneRead(file);
    t.deepEqual(mne.ch, ['Fz', 'Cz', 'Pz']);
    t.is(mne.sfreq, 500);
    t.is(mne.meas, '2023-05-17T09:30:15+00:00');
    t.deepEqual(
      mne.ann.map(([o, d, s]) => [o, d, s]),
      [
        [0.5, 0.25, 'stimulus ü/1'],
        [3.125, 0, 'button'],
        [7.75, 1.5, '音楽 onset'],
      ],
    );
    t.deepEqual(ours.annotations, [
      { onset: 0.5, duration: 0.25, text: 'stimulus ü/1' },
      { onset: 3.125, duration: null, text: 'button' },
      { onset: 7.75, duration: 1.5, text: '音楽 onset' },
    ]);
    let worstOurs = 0;
    let worstMne = 0;
    rec.signals.forEach((s, c) => {
      t.is(ours.signals[c].data.length, s.data.length);
      t.is(mne.data[c].length, s.data.length);
      for (let i = 0; i < s.data.length; i++) {
        worstOurs = Math.max(worstOurs, Math.abs(ours.signals[c].data[i] - s.data[i]));
        worstMne = Math.max(worstMne, Math.abs(mne.data[c][i] - s.data[i]));
      }
    });
    // Half a step plus float32 rounding of values up to 250 µV.
    const tol = step / 2 + 250 * 2 ** -23;
    t.true(worstOurs <= tol, `ours ${worstOurs} > ${tol}`);
    t.true(worstMne <= tol, `MNE ${worstMne} > ${tol}`);
  });
}

test('non-integer rate 487.5 Hz in 2-s records: MNE reads sfreq 487.5 and the same samples', (t) => {
  const rec = planted('bdf', 487.5, 8, 2);
  const file = path.join(tmp, 'rate487.bdf');
  writeEdf(file, rec);
  const ours = readEdf(file);
  const mne = mneRead(file);
  t.is(mne.sfreq, 487.5);
  t.is(ours.signals[0].rate, 487.5);
  t.is(ours.signals[0].data.length, 3900);
  let worst = 0;
  for (let i = 0; i < 3900; i++) worst = Math.max(worst, Math.abs(mne.data[1][i] - ours.signals[1].data[i]));
  t.true(worst <= 250 * 2 ** -23, `worst ${worst}`);
});

test('a start time with milliseconds survives as the sub-second onset of the first record', (t) => {
  const rec = { ...planted('edf', 100, 3, 1), startTime: new Date(Date.UTC(2022, 0, 2, 3, 4, 5, 678)) };
  const file = path.join(tmp, 'subsec.edf');
  writeEdf(file, rec);
  const r = readEdf(file);
  t.is(r.header.startTime.toISOString(), '2022-01-02T03:04:05.678Z');
  t.is(r.header.startOffset, 0.678);
  t.is(r.header.startTimeField, '03.04.05');
  t.is(r.annotations[0].onset, 0.5);
});

test('writes are atomic (no temporary left behind) and bad input is an InputError', (t) => {
  const dir = path.join(tmp, 'atomic', 'nested');
  writeEdf(path.join(dir, 'a.edf'), planted('edf', 100, 2, 1));
  t.deepEqual(fs.readdirSync(dir), ['a.edf']);
  const bad = planted('edf', 100, 2, 1);
  bad.signals[1] = { ...bad.signals[1], data: bad.signals[1].data.subarray(0, 50) };
  t.throws(() => writeEdf(path.join(dir, 'b.edf'), bad), { instanceOf: InputError });
  t.throws(() => writeEdf(path.join(dir, 'c.edf'), { ...planted('edf', 100, 2, 1), recordDuration: 0.015 }), {
    instanceOf: InputError,
    message: /whole number/,
  });
  // A NaN found while streaming records aborts the write and removes the temporary.
  const nan = planted('edf', 100, 2, 1);
  nan.signals[2].data[150] = NaN;
  t.throws(() => writeEdf(path.join(dir, 'd.edf'), nan), { instanceOf: InputError, message: /NaN/ });
  t.deepEqual(fs.readdirSync(dir), ['a.edf']);
});

test('a 30-hour recording at 1 Hz in 1-s records (108 000 records) writes and reads back every annotation', (t) => {
  const n = 108000;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (i % 200) - 100;
  const annotations = Array.from({ length: 30 }, (_, h) => ({ onset: 3600 * h + 0.5, text: `hour ${h}` }));
  const file = path.join(tmp, 'long.edf');
  writeEdf(file, {
    format: 'edf',
    startTime: new Date(Date.UTC(2020, 0, 1)),
    recordDuration: 1,
    signals: [{ label: 'T', unit: 'degC', rate: 1, physMin: -100, physMax: 100, data }],
    annotations,
  });
  const r = readEdf(file, { tStart: 107990 });
  t.is(r.header.nRecords, n);
  t.deepEqual(
    r.annotations.map((a) => a.text),
    annotations.map((a) => a.text),
  );
  t.is(r.annotations[29].onset, 104400.5);
  t.is(r.signals[0].data.length, 10);
  t.true(Math.abs(r.signals[0].data[9] - ((107999 % 200) - 100)) <= 200 / 65535);
});
