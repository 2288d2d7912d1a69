/**
 * Conformance: every [A] fact that MANIFEST.md (section 1) lists for the
 * EDF/BDF files of pyedflib, MNE and edfio, asserted against our reader.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { conformanceRoot } from '../helpers/conformance.js';
import { edfInfo, plusIdentification, prefilterBand, readEdf, readEdfHeader, stimSignals } from '../../src/io/edf.js';
import { InputError } from '../../src/core/errors.js';
import { defined } from '../helpers/defined.js';

const root = path.join(conformanceRoot(), 'edf');
const PY = path.join(root, 'holgern__pyedflib/pyedflib/tests/data');
const MNE = path.join(root, 'mne-tools__mne-python/mne/io/edf/tests/data');
const EDFIO = path.join(root, 'the-siesta-group__edfio/tests/TEST_DATA');

test('pyedflib test_generator.edf: 11 signals at 200 Hz × 600 records, header strings, start, labels, annotations', (t) => {
  const r = readEdf(path.join(PY, 'test_generator.edf'));
  const h = r.header;
  t.is(r.signals.length, 11);
  t.is(h.signals.length, 12); // ns counts the "EDF Annotations" signal
  t.is(h.nRecords, 600);
  for (const s of r.signals) {
    t.is(s.rate, 200);
    t.is(s.data.length, 120000);
  }
  t.is(r.annotations[0].onset, 0);
  t.is(r.annotations[1].onset, 600);
  t.deepEqual(
    r.annotations.map((a) => [a.onset, a.duration, a.text]),
    [
      [0, null, 'Recording starts'],
      [600, null, 'Recording ends'],
    ],
  );
  t.is(h.startTime.toISOString(), '2011-04-04T12:57:02.000Z');
  const id = defined(plusIdentification(h), 'the EDF+ patient and recording identification');
  t.deepEqual(id.patient, { code: 'abcxyz99', sex: 'M', birthdate: '30-JUN-1969', name: 'Hans Muller', additional: 'patient' });
  // pyedflib spells sex "Male" and the birthdate "30 jun 1969"; the subfields are the same.
  t.is(id.recording.admincode, 'Dr. X');
  t.is(id.recording.technician, 'Mr. Spotty');
  t.is(id.recording.equipment, 'test generator');
  t.is(id.recording.additional, 'unit test file');
  t.is(h.nRecords * h.recordDuration, 600);
  t.deepEqual(
    r.signals.map((s) => s.label),
    ['squarewave', 'ramp', 'pulse', 'noise', 'sine 1 Hz', 'sine 8 Hz', 'sine 8.1777 Hz', 'sine 8.5 Hz', 'sine 15 Hz', 'sine 17 Hz', 'sine 50 Hz'],
  );
  t.is(h.signals[0].prefilter, 'pre1');
  t.is(h.signals[0].transducer, 'trans1');
  for (let i = 1; i <= 10; i++) {
    t.is(r.signals[i].unit, 'uV');
    t.is(r.signals[i].rate, 200);
  }
  t.is(edfInfo(path.join(PY, 'test_generator.edf')).duration, 600);
});

test('pyedflib test_generator.edf: physical = (d − dmin)(pmax − pmin)/(dmax − dmin) + pmin, checked on raw bytes (dig2phys)', (t) => {
  const file = path.join(PY, 'test_generator.edf');
  const r = readEdf(file, { channels: ['ramp', 'noise'], tStart: 17, tEnd: 18 });
  const h = r.header;
  const bytes = fs.readFileSync(file);
  for (const [j, label] of [
    [1, 'ramp'],
    [3, 'noise'],
  ] as const) {
    const s = h.signals[j];
    const got = defined(
      r.signals.find((x) => x.label === label),
      'the channel of this label',
    ).data;
    t.is(got.length, 200);
    for (let i = 0; i < 200; i++) {
      const d = bytes.readInt16LE(h.headerBytes + 17 * h.recordBytes + s.byteOffset + 2 * i);
      const want = ((d - s.digMin) * (s.physMax - s.physMin)) / (s.digMax - s.digMin) + s.physMin;
      t.is(got[i], Math.fround(want));
    }
  }
});

test('pyedflib test_generator.bdf: every 24-bit sample of all five signals (1000, 800, 500, 975, 999 per record) equals the EDF formula on raw bytes', (t) => {
  // Odd samples-per-record (975, 999) put signals at every byte alignment, exercising all decode paths.
  const file = path.join(PY, 'test_generator.bdf');
  const r = readEdf(file);
  const h = r.header;
  const bytes = fs.readFileSync(file);
  let mismatches = 0;
  r.signals.forEach((sig, j) => {
    const s = h.signals[j];
    for (let k = 0; k < h.nRecords; k++) {
      for (let i = 0; i < s.samplesPerRecord; i++) {
        const d = bytes.readIntLE(h.headerBytes + k * h.recordBytes + s.byteOffset + 3 * i, 3);
        const want = Math.fround(((d - s.digMin) * (s.physMax - s.physMin)) / (s.digMax - s.digMin) + s.physMin);
        if (sig.data[k * s.samplesPerRecord + i] !== want) mismatches++;
      }
    }
  });
  t.is(mismatches, 0);
});

test('pyedflib BDF+C generators: signal counts, record durations and rates (incl. 487.5 and 499.5 Hz)', (t) => {
  const cases: [string, number, number, number[]][] = [
    ['test_generator.bdf', 1, 30, [1000, 800, 500, 975, 999]],
    ['test_generator_datarec_generator_0_5.bdf', 0.5, 60, [2000, 1600, 1000, 1950, 1998]],
    ['test_generator_datarec_generator_2.bdf', 2, 15, [500, 400, 250, 487.5, 499.5]],
  ];
  for (const [name, dur, nrec, rates] of cases) {
    const r = readEdf(path.join(PY, name));
    t.is(r.header.variant, 'BDF+C', name);
    t.is(r.signals.length, 5, name);
    t.is(r.header.recordDuration, dur, name);
    t.is(r.header.nRecords, nrec, name);
    t.is(edfInfo(path.join(PY, name)).duration, 30, name);
    t.deepEqual(
      r.signals.map((s) => s.rate),
      rates,
      name,
    );
    t.deepEqual(
      r.signals.map((s) => s.data.length),
      rates.map((f) => f * 30),
      name,
    );
  }
});

test('sub-second start: test_subsecond.edf/.bdf start 04:05:56.394531 and annotation onsets relative to it', (t) => {
  for (const file of [path.join(PY, 'test_subsecond.edf'), path.join(EDFIO, 'test_subsecond.bdf')]) {
    const r = readEdf(file);
    const h = r.header;
    t.is(h.startTime.toISOString(), '2020-01-24T04:05:56.394Z', file);
    t.is(Math.round(h.startOffset * 1e6), 394531, file);
    t.deepEqual(
      r.annotations.map((a) => a.onset),
      [1.9511719, 3.4921875, 290.5019531, 583.5722656],
      file,
    );
    // Inverted physical range (8711 … −8711): the gain is negative.
    t.true(h.signals[0].physMin > h.signals[0].physMax);
    t.true(h.signals[0].gain < 0);
  }
  const h = readEdfHeader(path.join(PY, 'test_subsecond.edf'));
  t.is(h.patient, 'X F 20-JAN-1998 X,X');
  t.is(h.recording, 'Startdate 24-JAN-2020 X X X');
});

test('test_utf8.edf: third annotation is the UTF-8 text 中文测试八个字', (t) => {
  const r = readEdf(path.join(PY, 'test_utf8.edf'));
  t.is(r.annotations[2].text, '中文测试八个字');
  t.is(r.annotations.length, 5);
});

const MNE_ANNOTATIONS: [number, number | null, string][] = [
  [0, null, 'start'],
  [0.1344, 0.256, 'type A'],
  [0.3904, 1, 'type A'],
  [2, null, 'type B'],
  [2.5, 2.5, 'type A'],
];

test('MNE test.edf: channel names, unit, annotations, events, header bytes, dates, filter band, stim channel', (t) => {
  const file = path.join(MNE, 'test.edf');
  const r = readEdf(file);
  const names: string[] = [];
  for (const g of 'ABCDEFGH') for (let i = 1; i <= 16; i++) names.push(`${g}${i}`);
  for (let i = 1; i <= 8; i++) names.push(`I${i}`);
  names.push('Ergo-Left', 'Ergo-Right', 'Status');
  t.deepEqual(
    r.signals.map((s) => s.label),
    names,
  );
  // MNE shows the original unit "uV" as "µV"; we return the header text.
  t.is(r.signals[0].unit, 'uV');
  t.deepEqual(
    r.annotations.map((a) => [a.onset, a.duration, a.text]),
    MNE_ANNOTATIONS,
  );
  // mne.events_from_annotations: sample = onset × 512 truncated, "type A" = 2, "type B" = 3.
  const ids: Record<string, number> = { 'type A': 2, 'type B': 3 };
  const events = r.annotations.filter((a) => a.text in ids).map((a) => [Math.floor(a.onset * 512), 0, ids[a.text]]);
  t.deepEqual(events, [
    [68, 0, 2],
    [199, 0, 2],
    [1024, 0, 3],
    [1280, 0, 2],
  ]);
  const bytes = fs.readFileSync(file);
  t.is(bytes.subarray(184, 192).toString('latin1'), '36096   ');
  t.is(r.header.headerBytes, 36096);
  t.is(r.header.startDateField, '29.04.14');
  t.true(r.header.recording.startsWith('Startdate 29-APR-2014'));
  t.deepEqual(prefilterBand(r.header), { highpass: 0, lowpass: 256 });
  t.deepEqual(
    stimSignals(r.header).map((s) => s.label),
    ['Status'],
  );
  t.is(defined(r.header.signals.filter((s) => !s.isAnnotation).at(-1), 'a data signal').label, 'Status');
});

test('MNE test.bdf: [A-hist] equality with test.edf no longer holds — the files now differ in channels and rate', (t) => {
  // MNE compared these until f85de59c (2018); test.edf was since replaced by a 139-channel 512 Hz file,
  // so we assert what the BioSemi file itself is: 73 channels (last "Status") at 2048 Hz, one 1-s record.
  const b = readEdf(path.join(MNE, 'test.bdf'));
  const e = readEdfHeader(path.join(MNE, 'test.edf'));
  t.is(b.signals.length, 73);
  t.is(b.signals[72].label, 'Status');
  t.true(b.signals.every((s) => s.rate === 2048 && s.data.length === 2048));
  t.is(b.header.reserved, '24BIT');
  t.not(e.signals.length, b.header.signals.length);
});

test('MNE test_uneven_samp.edf and test_edf_stim_channel.edf: filter bands (lowpass 50 / 64, highpass 0), 12.8 Hz rate', (t) => {
  const u = readEdf(path.join(MNE, 'test_uneven_samp.edf'));
  t.deepEqual(prefilterBand(u.header), { highpass: 0, lowpass: 50 });
  t.deepEqual(
    u.signals.map((s) => s.rate),
    [100, 12.8],
  );
  t.is(u.header.signals[0].digMax, 2048);
  const s = readEdf(path.join(MNE, 'test_edf_stim_channel.edf'));
  t.deepEqual(prefilterBand(s.header), { highpass: 0, lowpass: 64 });
  t.is(s.header.reserved, 'reserved');
  t.is(s.header.recordDuration, 9.59375);
});

test('MNE test_stim_channel.edf: stAtUs and tRigGer are stim channels, "sine 1 Hz" is not', (t) => {
  const h = readEdfHeader(path.join(MNE, 'test_stim_channel.edf'));
  t.deepEqual(
    stimSignals(h).map((s) => s.label),
    ['stAtUs', 'tRigGer'],
  );
});

test('MNE duplicate_channel_labels.edf: duplicates become -0/-1; picking by unique name works, the bare duplicate is ambiguous', (t) => {
  const file = path.join(MNE, 'duplicate_channel_labels.edf');
  const r = readEdf(file);
  t.deepEqual(
    r.signals.map((s) => s.label),
    ['EEG F1-Ref-0', 'EEG F2-Ref', 'EEG F1-Ref-1'],
  );
  const picked = readEdf(file, { channels: ['EEG F1-Ref-1', 'EEG F2-Ref'] });
  t.deepEqual(
    picked.signals.map((s) => s.label),
    ['EEG F1-Ref-1', 'EEG F2-Ref'],
  );
  t.deepEqual(picked.signals[0].data, r.signals[2].data);
  const err = t.throws(() => readEdf(file, { channels: ['EEG F1-Ref'] }), { instanceOf: InputError });
  t.regex(defined(err, 'the thrown error').message, /ambiguous/);
});

test('edfio short_psg.edf/.bdf: header fields, every signal header equals the reference JSON, physical sums', (t) => {
  const ref = JSON.parse(fs.readFileSync(path.join(EDFIO, 'short_psg_header_reference.json'), 'utf8')) as Record<string, string | number>[];
  const sums = [5786.725274725277, -10889.671062271369, 22995.836874236884, 109827, 1028.81, 11160.999999999998, 265812];
  for (const name of ['short_psg.edf', 'short_psg.bdf']) {
    const file = path.join(EDFIO, name);
    const h = readEdfHeader(file);
    t.is(h.version, name.endsWith('.bdf') ? '\xffBIOSEMI' : '0');
    t.is(h.patient, 'X F X Female_33yr');
    t.is(h.recording, 'Startdate 24-APR-1989 X X X');
    t.is(h.startTime.toISOString(), '1989-04-24T16:13:00.000Z');
    t.is(h.headerBytes, 2048);
    t.is(h.reserved, '');
    t.is(h.nRecords, 10);
    t.is(h.recordDuration, 30);
    t.is(h.signals.length, 7);
    h.signals.forEach((s, i) => {
      const want = ref[i];
      t.deepEqual(
        {
          label: s.label,
          transducer_type: s.transducer,
          physical_dimension: s.unit,
          physical_min: s.physMin,
          physical_max: s.physMax,
          digital_min: s.digMin,
          digital_max: s.digMax,
          prefiltering: s.prefilter,
          samples_per_data_record: s.samplesPerRecord,
          reserved: s.reserved,
          sampling_frequency: s.rate,
        },
        want,
      );
    });
    const info = edfInfo(file);
    info.signals.forEach((s, i) => {
      // numpy assert_approx_equal(significant=7)
      t.true(
        Math.abs((defined(s.data, "the signal's data summary").sum ?? NaN) - sums[i]) <= 1e-6 * Math.abs(sums[i]),
        `${name} ${s.label}: ${defined(s.data, "the signal's data summary").sum} vs ${sums[i]}`,
      );
    });
    const emg = readEdf(file, { channels: ['EMG submental'] });
    t.is(emg.signals[0].rate, 1);
    t.is(h.signals[4].physMin, -5);
    t.is(h.signals[4].physMax, 5);
    t.is(readEdf(file).annotations.length, 0);
  }
});

test('edfio mne_test.bdf: the same five annotations as MNE test.edf; Hypnogram: 154 annotations in a 0-s record', (t) => {
  const r = readEdf(path.join(EDFIO, 'mne_test.bdf'));
  t.deepEqual(
    r.annotations.map((a) => [a.onset, a.duration, a.text]),
    MNE_ANNOTATIONS,
  );
  const hyp = readEdf(path.join(EDFIO, 'SC4001EC-Hypnogram.bdf'));
  t.is(hyp.annotations.length, 154);
  t.is(hyp.header.recordDuration, 0);
  t.is(hyp.signals.length, 0);
});

test('every conformance EDF/BDF: header size is 256 × (ns + 1) and the info summary is JSON-serialisable', (t) => {
  const files = [PY, MNE, EDFIO].flatMap((d) =>
    fs
      .readdirSync(d)
      .filter((f) => /\.(edf|bdf)$/.test(f))
      .map((f) => path.join(d, f)),
  );
  t.is(files.length, 18);
  for (const f of files) {
    const h = readEdfHeader(f);
    t.is(h.headerBytes, 256 * (h.signals.length + 1), f);
    const info = edfInfo(f);
    t.deepEqual(JSON.parse(JSON.stringify(info)), info);
  }
});
