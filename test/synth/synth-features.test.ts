/**
 * The feature spaces measure what they are named for, on signals with a known
 * answer: modulation energy peaks in the band containing the AM rate, pitch
 * height and salience follow a harmonic tone and vanish for noise, the
 * centroid orders low- vs high-passed noise, and the abstract space encodes
 * the planted genre, tempo and chords.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { clipFeatures, featureNames, MID_FEATURES, MOD_RATES, N_BANDS } from '../../src/synth/features.js';
import type { ClipTruth } from '../../src/synth/music.js';

const sr = 22050;
const genres = ['jazz', 'rock'];
const truth: ClipTruth = {
  genre: 'rock',
  tempoBpm: 120,
  keyRoot: 0,
  mode: 'major',
  key: 'C major',
  swing: 0,
  drumLevel: 0.8,
  distortion: 1,
  chordStyle: 'strum',
  bassStyle: 'root8',
  beats: [],
  chords: [
    { onset: 0, root: 0, quality: 'maj' },
    { onset: 1.5, root: 7, quality: 'dom7' },
  ],
  rms: 0.1,
  partner: null,
  partnerGroups: [],
};
const noise = (n: number, seed: number): Float32Array => new Rng(seed, 'noise').normals(n, 0, 0.1);
const meanCol = (m: Float32Array, nCols: number, c: number, from = 5): number => {
  const rows = m.length / nCols;
  let s = 0;
  for (let r = from; r < rows - from; r++) s += m[r * nCols + c];
  return s / (rows - 2 * from);
};

test('amplitude-modulated noise puts its largest modulation energy in the rate band containing the AM rate', (t) => {
  const names = featureNames(genres);
  const nLow = names.low.length;
  for (const [rate, band] of [
    [2, 0],
    [4.5, 1],
    [9, 2],
    [18, 3],
  ] as const) {
    const x = noise(3 * sr, 1);
    for (let i = 0; i < x.length; i++) x[i] *= 1 + 0.9 * Math.sin((2 * Math.PI * rate * i) / sr);
    const f = clipFeatures(x, sr, truth, genres);
    // Average over frequency bands 2..6 (where white noise has energy at every band).
    const perRate = MOD_RATES.map((_, r) => {
      let s = 0;
      for (let b = 2; b < N_BANDS - 1; b++) s += meanCol(f.low, nLow, b * MOD_RATES.length + r);
      return s;
    });
    t.is(perRate.indexOf(Math.max(...perRate)), band, `AM ${rate} Hz → ${JSON.stringify(perRate.map((v) => v.toFixed(1)))}`);
  }
});

test('pitch height follows a 220 Hz harmonic tone, and its pitch salience is far above that of noise', (t) => {
  const n = 3 * sr;
  const tone = new Float32Array(n);
  for (let i = 0; i < n; i++) for (let k = 1; k <= 5; k++) tone[i] += (0.1 / k) * Math.sin((2 * Math.PI * 220 * k * i) / sr);
  const nm = MID_FEATURES.length;
  const ft = clipFeatures(tone, sr, truth, genres);
  const fn = clipFeatures(noise(n, 2), sr, truth, genres);
  const height = Math.exp(meanCol(ft.mid, nm, MID_FEATURES.indexOf('pitch_height')));
  const salTone = meanCol(ft.mid, nm, MID_FEATURES.indexOf('pitch_salience'));
  const salNoise = meanCol(fn.mid, nm, MID_FEATURES.indexOf('pitch_salience'));
  t.log(`pitch ${height.toFixed(1)} Hz, salience tone ${salTone.toFixed(2)} vs noise ${salNoise.toFixed(2)}`);
  t.true(Math.abs(height - 220) / 220 < 0.03);
  t.true(salTone > 0.8 && salNoise < 0.3);
  // A steady tone has almost no flux or onsets; noise is flatter.
  t.true(meanCol(ft.mid, nm, MID_FEATURES.indexOf('flatness')) < meanCol(fn.mid, nm, MID_FEATURES.indexOf('flatness')));
});

test('the spectral centroid is higher for high-passed than for low-passed noise', (t) => {
  const w = noise(3 * sr, 3);
  const lo = new Float32Array(w.length);
  const hi = new Float32Array(w.length);
  let acc = 0;
  for (let i = 0; i < w.length; i++) {
    acc += 0.05 * (w[i] - acc);
    lo[i] = acc;
    hi[i] = i > 0 ? w[i] - w[i - 1] : 0;
  }
  const nm = MID_FEATURES.length;
  const c = MID_FEATURES.indexOf('centroid');
  const cLo = Math.exp(meanCol(clipFeatures(lo, sr, truth, genres).mid, nm, c));
  const cHi = Math.exp(meanCol(clipFeatures(hi, sr, truth, genres).mid, nm, c));
  t.log(`centroid low-passed ${cLo.toFixed(0)} Hz, high-passed ${cHi.toFixed(0)} Hz`);
  t.true(cHi > 4 * cLo);
});

test('the abstract space encodes the planted genre, tempo, beat strength, mode and the chord sounding at each frame', (t) => {
  const names = featureNames(genres).abstract;
  const f = clipFeatures(noise(3 * sr, 4), sr, truth, genres);
  const F = names.length;
  const col = (name: string, frame: number): number => f.abstract[frame * F + names.indexOf(name)];
  t.is(f.nFrames, 30);
  t.is(col('genre_rock', 0), 1);
  t.is(col('genre_jazz', 0), 0);
  t.true(Math.abs(col('tempo', 10) - 1.2) < 1e-6);
  t.true(Math.abs(col('beat_strength', 10) - 0.8) < 1e-6);
  t.is(col('mode_major', 10), 1);
  t.is(col('chord_maj', 14), 1);
  t.is(col('chord_dom7', 15), 1);
  t.is(col('chord_maj', 15), 0);
});
