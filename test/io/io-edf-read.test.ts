/**
 * Reader semantics beyond the conformance files: windows and channel subsets,
 * EDF+D gaps placed by the time-keeping TALs, Status-channel triggers, and a
 * sparse file larger than 2 GiB read by position.
 */
import test from 'ava';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { conformanceRoot } from '../helpers/conformance.js';
import { InputError } from '../../src/core/errors.js';
import { edfInfo, readEdf, readEdfHeader, writeEdf } from '../../src/io/edf.js';
import { defined } from '../helpers/defined.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edf-read-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const GEN2 = path.join(conformanceRoot(), 'edf/holgern__pyedflib/pyedflib/tests/data/test_generator_datarec_generator_2.bdf');

test('a window of two channels equals the same slice of a full read (487.5 Hz, 2-s records)', (t) => {
  const full = readEdf(GEN2);
  const part = readEdf(GEN2, { channels: [3, 'white noise'], tStart: 3.3, tEnd: 11.1 });
  t.deepEqual(
    part.signals.map((s) => s.label),
    ['pink noise', 'white noise'],
  );
  const rates = [487.5, 499.5];
  part.signals.forEach((s, j) => {
    // First sample at or after 3.3 s, last before 11.1 s.
    const i0 = Math.ceil(3.3 * rates[j]);
    const i1 = Math.ceil(11.1 * rates[j]);
    t.is(s.data.length, i1 - i0);
    t.deepEqual(s.data, full.signals[3 + j].data.subarray(i0, i1));
  });
  t.throws(() => readEdf(GEN2, { channels: ['nope'] }), { instanceOf: InputError, message: /no signal labelled "nope"/ });
  t.throws(() => readEdf(GEN2, { tStart: 5, tEnd: 2 }), { instanceOf: InputError });
});

test('a record count of −1 ("still recording") is taken from the file size', (t) => {
  const src = path.join(conformanceRoot(), 'edf/mne-tools__mne-python/mne/io/edf/tests/data/duplicate_channel_labels.edf');
  const b = Buffer.from(fs.readFileSync(src));
  b.write('-1      ', 236, 'latin1');
  const file = path.join(tmp, 'unknown-count.edf');
  fs.writeFileSync(file, b);
  const r = readEdf(file);
  t.is(r.header.nRecords, 10);
  t.deepEqual(r.signals, readEdf(src).signals);
});

test("a 1-s window of a 600-record file reads only the records it needs (plus each record's TAL bytes)", (t) => {
  const file = path.join(conformanceRoot(), 'edf/holgern__pyedflib/pyedflib/tests/data/test_generator.edf');
  const h = readEdfHeader(file);
  const annBytes = h.signals.filter((s) => s.isAnnotation).reduce((n, s) => n + 2 * s.samplesPerRecord, 0);
  // Count the bytes every readSync delivers, through the CommonJS fs object the ESM namespace mirrors.
  const cjsFs = createRequire(import.meta.url)('node:fs') as typeof fs;
  const original = cjsFs.readSync;
  let bytes = 0;
  cjsFs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
    const n = (original as (...a: Parameters<typeof fs.readSync>) => number)(...args);
    bytes += n;
    return n;
  }) as typeof fs.readSync;
  syncBuiltinESMExports();
  let r: ReturnType<typeof readEdf>;
  try {
    r = readEdf(file, { channels: ['sine 8 Hz'], tStart: 300, tEnd: 301 });
  } finally {
    cjsFs.readSync = original;
    syncBuiltinESMExports();
  }
  t.is(r.signals[0].data.length, 200);
  const budget = h.headerBytes + h.recordBytes + h.nRecords * annBytes + annBytes;
  t.true(bytes <= budget, `${bytes} bytes read, budget ${budget}, file ${h.fileSize}`);
  t.true(bytes < h.fileSize / 10);
  // The counter saw the window record itself, so it was really in the read path.
  t.true(bytes >= h.headerBytes + h.recordBytes, `${bytes}`);
});

/** 4 records × 1 s at 100 Hz, sample value = 1000·record + index, re-stamped as EDF+D with onsets `onsets`. */
function makeEdfPlusD(file: string, onsets: number[], keepTimekeeping = true): void {
  const n = onsets.length * 100;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = 1000 * Math.floor(i / 100) + (i % 100);
  writeEdf(file, {
    format: 'edf',
    startTime: new Date(Date.UTC(2020, 0, 1, 0, 0, 0)),
    recordDuration: 1,
    signals: [{ label: 'X', unit: 'uV', rate: 100, physMin: -32768, physMax: 32767, data }],
    // A long text reserves room in every record's annotation area for the rewritten TALs.
    annotations: [{ onset: 0.5, text: 'marker'.padEnd(40, '.') }],
  });
  const h = readEdfHeader(file);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.from('EDF+D'), 0, 5, 192);
  const ann = defined(
    h.signals.find((s) => s.isAnnotation),
    'the annotation signal',
  );
  onsets.forEach((o, k) => {
    const area = Buffer.alloc(ann.samplesPerRecord * 2);
    let tal = keepTimekeeping || k !== 2 ? `+${o}\x14\x14\x00` : '';
    if (k === 0) tal += '+0.5\x14marker\x14\x00';
    area.write(tal, 'latin1');
    fs.writeSync(fd, area, 0, area.length, h.headerBytes + k * h.recordBytes + ann.byteOffset);
  });
  fs.closeSync(fd);
}

test('EDF+D: records sit at their TAL onsets (0, 1, 3.5, 4.5 s); the 1.5-s gap is NaN, also in a window across it', (t) => {
  const file = path.join(tmp, 'gaps.edf');
  makeEdfPlusD(file, [0, 1, 3.5, 4.5]);
  const r = readEdf(file);
  t.is(r.header.variant, 'EDF+D');
  t.deepEqual(Array.from(r.recordOnsets), [0, 1, 3.5, 4.5]);
  const x = r.signals[0].data;
  t.is(x.length, 550);
  t.is(x[0], 0);
  t.is(x[199], 1099);
  for (let i = 200; i < 350; i++) t.true(Number.isNaN(x[i]));
  t.is(x[350], 2000);
  t.is(x[549], 3099);
  t.deepEqual(r.annotations, [{ onset: 0.5, duration: null, text: 'marker' }]);
  const w = readEdf(file, { tStart: 1.2, tEnd: 3.7 }).signals[0].data;
  t.is(w.length, 250);
  t.is(w[0], 1020);
  t.true(Number.isNaN(w[80]) && Number.isNaN(w[229]));
  t.is(w[230], 2000);
  t.is(defined(edfInfo(file).signals[0].data, "the signal's data summary").count, 400);
  t.is(edfInfo(file).duration, 5.5);
});

test('EDF+D without a time-keeping TAL, or with overlapping records, is an InputError', (t) => {
  const a = path.join(tmp, 'gaps-missing.edf');
  makeEdfPlusD(a, [0, 1, 3.5, 4.5], false);
  t.throws(() => readEdf(a), { instanceOf: InputError, message: /record 3 has no time-keeping/ });
  const b = path.join(tmp, 'gaps-overlap.edf');
  makeEdfPlusD(b, [0, 1, 1.5, 4.5]);
  t.throws(() => readEdf(b), { instanceOf: InputError, message: /before record 2 ends/ });
});

test('BDF Status: low 16 bits, one event per change to a non-zero code, upper status bits ignored, windows respect changes', (t) => {
  const rate = 500;
  const status = new Float32Array(3 * rate).fill(0x3f0000);
  const put = (a: number, b: number, code: number) => status.fill(0x3f0000 + code, a, b);
  put(100, 110, 5);
  put(400, 405, 17);
  put(405, 420, 18);
  put(500, 520, 7);
  const eeg = new Float32Array(3 * rate);
  const file = path.join(tmp, 'status.bdf');
  writeEdf(file, {
    format: 'bdf',
    startTime: new Date(Date.UTC(2020, 0, 1)),
    recordDuration: 1,
    signals: [
      { label: 'Fz', unit: 'uV', rate, physMin: -1, physMax: 1, data: eeg },
      { label: 'Status', unit: 'Boolean', rate, physMin: -8388608, physMax: 8388607, data: status },
    ],
  });
  const events = (o: { tStart?: number; tEnd?: number; channels?: string[] } = {}) => readEdf(file, o).triggers;
  t.deepEqual(events(), [
    { onset: 0.2, code: 5 },
    { onset: 0.8, code: 17 },
    { onset: 0.81, code: 18 },
    { onset: 1, code: 7 },
  ]);
  t.deepEqual(events({ tStart: 0.81 }), [
    { onset: 0.81, code: 18 },
    { onset: 1, code: 7 },
  ]);
  t.deepEqual(events({ tStart: 1 }), [{ onset: 1, code: 7 }]);
  t.deepEqual(events({ tStart: 1.01, channels: ['Fz'] }), []);
  t.is(edfInfo(file).triggerCount, 4);
});

/** A hand-built EDF+C (independent of our writer) with two annotation signals around one 4-Hz signal. */
function handBuiltEdfPlus(file: string): void {
  const rows: [string, string, number, number, number, number, number][] = [
    // label, unit, physMin, physMax, digMin, digMax, samples per record
    ['EDF Annotations', '', -1, 1, -32768, 32767, 30],
    ['Sig', 'mV', -10, 10, -1000, 1000, 4],
    ['EDF Annotations', '', -1, 1, -32768, 32767, 20],
  ];
  const pad = (x: string | number, w: number) => String(x).padEnd(w, ' ');
  let h = `${pad('0', 8) + pad('X X X X', 80) + pad('Startdate 02-MAR-2021 X X X', 80)}02.03.2107.08.09`;
  h += pad(256 * 4, 8) + pad('EDF+C', 44) + pad(3, 8) + pad(1, 8) + pad(3, 4);
  const col = (f: (r: (typeof rows)[number]) => string, w: number) => rows.map((r) => pad(f(r), w)).join('');
  h += col((r) => r[0], 16) + col(() => '', 80) + col((r) => r[1], 8) + col((r) => String(r[2]), 8) + col((r) => String(r[3]), 8);
  h += col((r) => String(r[4]), 8) + col((r) => String(r[5]), 8) + col(() => '', 80) + col((r) => String(r[6]), 8) + col(() => '', 32);
  const recs: Buffer[] = [];
  const first = ['+0.7\x14\x14\x00+0.9\x150.5\x14A\x14B\x14\x00', '+1.7\x14\x14\x00', '+2.7\x14\x14\x00'];
  const second = ['+1.2\x14Ä second signal\x14\x00', '', '+3.2\x150\x14late\x14\x00'];
  for (let k = 0; k < 3; k++) {
    const r = Buffer.alloc((30 + 4 + 20) * 2);
    r.write(first[k], 0, 'utf8');
    for (let i = 0; i < 4; i++) r.writeInt16LE(-1000 + 500 * i + k, 60 + 2 * i);
    r.write(second[k], 68, 'utf8');
    recs.push(r);
  }
  fs.writeFileSync(file, Buffer.concat([Buffer.from(h, 'latin1'), ...recs]));
}

test('two annotation signals, several texts per TAL, a +0.7 s start TAL, and a signal between annotation signals', (t) => {
  const file = path.join(tmp, 'two-annot.edf');
  handBuiltEdfPlus(file);
  const r = readEdf(file);
  t.is(r.header.startTime.toISOString(), '2021-03-02T07:08:09.700Z');
  t.is(r.header.startOffset, 0.7);
  t.deepEqual(r.annotations, [
    { onset: 0.2, duration: 0.5, text: 'A' },
    { onset: 0.2, duration: 0.5, text: 'B' },
    { onset: 0.5, duration: null, text: 'Ä second signal' },
    { onset: 2.5, duration: 0, text: 'late' },
  ]);
  t.deepEqual(
    r.signals.map((s) => [s.label, s.unit, s.rate]),
    [['Sig', 'mV', 4]],
  );
  // digital −1000, −500, 0, 500 (+k) over −1000..1000 → −10 … 5 mV (+k/100).
  t.deepEqual(Array.from(r.signals[0].data.subarray(0, 4)), [-10, -5, 0, 5]);
  t.is(r.signals[0].data[9], Math.fround(-4.98)); // record 2, sample 1: digital −498
  const info = edfInfo(file);
  t.is(info.annotationSignals, 2);
  t.is(defined(info.signals[0].data, "the signal's data summary").nonzero, 11);
  t.is(defined(info.signals[0].data, "the signal's data summary").count, 12);
});

test('a sparse 2.2 GB BDF: the last record (beyond 2^31 bytes) is read by position, not by loading the file', (t) => {
  const small = path.join(tmp, 'one-record.bdf');
  const rate = 2048;
  const signals = Array.from({ length: 8 }, (_, c) => {
    const data = new Float32Array(rate);
    for (let i = 0; i < rate; i++) data[i] = c * 10000 + i;
    return { label: `E${c}`, unit: 'uV', rate, physMin: -8388608, physMax: 8388607, data };
  });
  writeEdf(small, { format: 'bdf', startTime: new Date(Date.UTC(2020, 0, 1)), recordDuration: 1, signals });
  const h = readEdfHeader(small);
  const bytes = fs.readFileSync(small);
  const nRecords = Math.ceil(2.2e9 / h.recordBytes);
  const big = path.join(tmp, 'big.bdf');
  const head = Buffer.from(bytes.subarray(0, h.headerBytes));
  head.write(String(nRecords).padEnd(8, ' '), 236, 'latin1');
  const fd = fs.openSync(big, 'w');
  fs.writeSync(fd, head, 0, head.length, 0);
  fs.ftruncateSync(fd, h.headerBytes + nRecords * h.recordBytes);
  const lastPos = h.headerBytes + (nRecords - 1) * h.recordBytes;
  t.true(lastPos > 2 ** 31);
  fs.writeSync(fd, bytes, h.headerBytes, h.recordBytes, lastPos);
  fs.closeSync(fd);
  const r = readEdf(big, { channels: ['E3', 'E7'], tStart: nRecords - 1 });
  t.is(r.header.nRecords, nRecords);
  t.deepEqual(r.signals[0].data, signals[3].data);
  t.deepEqual(r.signals[1].data, signals[7].data);
  const before = readEdf(big, { channels: ['E3'], tStart: nRecords - 1.5, tEnd: nRecords - 0.5 }).signals[0].data;
  t.is(before[0], 0);
  t.is(before[1024], 30000);
});
