/**
 * EEG preprocessing, checked against planted truth and MNE:
 * spherical-spline interpolation matrix = MNE 1.3's to 1e-6; the synth's
 * planted flat and noisy channels are detected (and nothing else); 50 Hz line
 * noise is removed by ≥ 30 dB and the band edges sit at −6 dB; robust scaling
 * equals numpy's median/IQR with the ±20 clamp; segments start at onset + shift.
 */
import test from 'ava';
import { pyJson, maxAbsDiff } from '../helpers/signal-python.js';
import { splineInterpolationMatrix, interpolateBadChannels } from '../../src/signal/eeg/interpolate.js';
import { detectBadChannels } from '../../src/signal/eeg/bad-channels.js';
import { eegPrepConfigSchema, preprocessEeg } from '../../src/signal/eeg/prep.js';
import { robustScale } from '../../src/signal/eeg/robust.js';
import { cutSegments } from '../../src/signal/eeg/segment.js';
import { rereference } from '../../src/signal/eeg/reference.js';
import { butterworth, sosfiltfilt } from '../../src/signal/filters.js';
import { electrodeXyz, MONTAGE_32, MONTAGE_16 } from '../../src/signal/eeg/montage.js';
import { simulateStudy, synthConfigSchema } from '../../src/synth/index.js';
import type { Xyz } from '../../src/signal/eeg/montage.js';

test('spherical-spline interpolation matrix equals MNE _make_interpolation_matrix (32-channel 10-20, 3 bad)', (t) => {
  const pos = MONTAGE_32.map((c) => electrodeXyz(c).map((v) => v * 0.09) as Xyz);
  const badIdx = [3, 17, 25];
  const good = pos.filter((_, i) => !badIdx.includes(i));
  const bad = badIdx.map((i) => pos[i]);
  const ours = splineInterpolationMatrix(good, bad);
  const ref = pyJson<number[][]>(
    'from mne.channels.interpolation import _make_interpolation_matrix\n' +
      'print(json.dumps(_make_interpolation_matrix(np.array(inp["g"]), np.array(inp["b"])).tolist()))',
    { g: good, b: bad },
  );
  t.true(maxAbsDiff(ours, ref.flat()) < 1e-6, `max diff ${maxAbsDiff(ours, ref.flat())}`);
  // A spatially smooth (linear) field is reproduced at the bad positions within 5 %.
  const field = (p: Xyz): number => 2 + p[0] * 10 - p[1] * 5 + p[2] * 3;
  const data = pos.map((p) => Float32Array.of(field(p)));
  const out = interpolateBadChannels(data, pos, badIdx);
  for (const b of badIdx)
    t.true(Math.abs(out[b][0] - field(pos[b])) < 0.05 * Math.abs(field(pos[b])) + 0.05, `${MONTAGE_32[b]}: ${out[b][0]} vs ${field(pos[b])}`);
});

test('the synth planted flat and noisy channels are detected, and only they (3 subjects, 16 channels)', (t) => {
  const cfg = synthConfigSchema.parse({
    stimuli: { genres: ['classical', 'metal'], clipsPerGenre: 2, clipSec: 4 },
    fmri: { subjects: 0 },
    eeg: { subjects: 2, channels: 16, rate: 128 },
    behaviour: { subjects: 0 },
  });
  const study = simulateStudy(cfg, 11);
  for (const sub of study.eeg) {
    const labels = sub.planted.channels;
    const pos = labels.map(electrodeXyz);
    const sos = butterworth(4, [1, 30], 128, 'bandpass');
    const filtered = sub.data.map((x) => sosfiltfilt(sos, x));
    const rep = detectBadChannels(filtered, pos, { epochSamples: 128 });
    const found = rep.bad.map((i) => labels[i]).sort();
    t.deepEqual(found, [sub.artefacts.flatChannel, sub.artefacts.noisyChannel].sort(), `${sub.id}: z=${[...rep.zLogVar].map((v) => v.toFixed(1))}`);
    t.is(rep.status[labels.indexOf(sub.artefacts.flatChannel)], 'flat');
    t.is(rep.status[labels.indexOf(sub.artefacts.noisyChannel)], 'noisy');
  }
});

test('preprocessing chain: 50 Hz line noise down ≥ 30 dB, band edges at −6 dB, 10 Hz passed within 0.5 dB', (t) => {
  const rate = 256;
  const n = rate * 60;
  const labels = MONTAGE_16;
  const amp = (x: Float32Array, f: number): number => {
    // Amplitude of the f-Hz component by projection on sin/cos over the middle 40 s (edges excluded).
    let s = 0,
      c = 0,
      m = 0;
    for (let i = 10 * rate; i < 50 * rate; i++) {
      s += x[i] * Math.sin((2 * Math.PI * f * i) / rate);
      c += x[i] * Math.cos((2 * Math.PI * f * i) / rate);
      m++;
    }
    return (2 * Math.hypot(s, c)) / m;
  };
  // Each channel gets its own mix so the common average (average of 16) does not cancel it: ch0 carries the test tones, the others zero-mean noise-free.
  const freqs = [0.5, 10, 30, 50];
  const data = labels.map((_, c) => {
    const x = new Float32Array(n);
    if (c === 0) for (let i = 0; i < n; i++) for (const f of freqs) x[i] += 10 * Math.sin((2 * Math.PI * f * i) / rate);
    return x;
  });
  const cfg = eegPrepConfigSchema.parse({ bandpassHz: [0.5, 30], rate, robustScale: false, badChannels: { detect: false } });
  const out = preprocessEeg({ labels, rate, data, positions: labels.map(electrodeXyz) }, cfg);
  // Common average of a single active channel scales it by (1 − 1/16).
  const g = 1 - 1 / labels.length;
  const db = (f: number): number => 20 * Math.log10(amp(out.data[0], f) / (10 * g));
  t.true(db(50) < -30, `50 Hz at ${db(50).toFixed(1)} dB`);
  t.true(Math.abs(db(10)) < 0.5, `10 Hz at ${db(10).toFixed(2)} dB`);
  t.true(Math.abs(db(30) + 6.02) < 1.0, `30 Hz edge at ${db(30).toFixed(2)} dB`);
  t.true(Math.abs(db(0.5) + 6.02) < 1.5, `0.5 Hz edge at ${db(0.5).toFixed(2)} dB`);
});

test('common average reference: channels sum to zero at every sample; named reference subtracts that channel', (t) => {
  const data = [Float32Array.of(1, 2, 3), Float32Array.of(4, 0, -1), Float32Array.of(7, 7, 7)];
  const avg = rereference(data, ['a', 'b', 'c'], 'average');
  for (let i = 0; i < 3; i++) t.true(Math.abs(avg[0][i] + avg[1][i] + avg[2][i]) < 1e-6);
  const toC = rereference(data, ['a', 'b', 'c'], ['c']);
  t.deepEqual([...toC[0]], [-6, -5, -4]);
  t.deepEqual([...toC[2]], [0, 0, 0]);
});

test('robust scaling = (x − median)/IQR clamped at ±20, as numpy computes it', (t) => {
  const x = Float32Array.from({ length: 501 }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 97 === 0 ? 400 : 0) + i * 0.01);
  const ours = robustScale(x, 20);
  const ref = pyJson<number[]>(
    'x=np.array(inp,dtype=np.float64); q1,m,q3=np.percentile(x,[25,50,75]); print(json.dumps(np.clip((x-m)/(q3-q1),-20,20).tolist()))',
    [...x],
  );
  t.true(maxAbsDiff(ours, ref) < 1e-4, `max diff ${maxAbsDiff(ours, ref)}`);
  t.is(Math.max(...ours), 20);
});

test('segments start at onset + 200 ms shift; events leaving the recording are skipped', (t) => {
  const rate = 100;
  const ramp = Float32Array.from({ length: 1000 }, (_, i) => i);
  const seg = cutSegments(
    [ramp, ramp.map((v) => -v)],
    rate,
    [
      { onset: 1, duration: 2, stimId: 'a' },
      { onset: 5.004, duration: 2, stimId: 'b' },
      { onset: 9, duration: 2, stimId: 'late' },
    ],
    0.2,
    2,
  );
  t.deepEqual(seg.stimIds, ['a', 'b']);
  t.is(seg.nT, 200);
  t.is(seg.data[0], 120); // sample of 1.2 s
  t.is(seg.data[(1 * 2 + 0) * 200], 520); // 5.204 s → sample 520
  t.is(seg.data[(0 * 2 + 1) * 200 + 5], -125);
  t.deepEqual(
    seg.skipped.map((e) => e.stimId),
    ['late'],
  );
});
