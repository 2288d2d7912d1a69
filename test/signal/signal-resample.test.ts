import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { firwin } from '../../src/signal/filters.js';
import { rationalRatio, resample, resamplePoly } from '../../src/signal/resample.js';
import { maxAbs, maxAbsDiff, pyJson } from '../helpers/signal-python.js';
import { toneAmplitude } from '../helpers/tones.js';

function tone(f: number, sr: number, seconds: number, amp = 1): Float32Array {
  const x = new Float32Array(Math.round(sr * seconds));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * f * i) / sr);
  return x;
}

test('rational ratios: 44100→22050 = 1/2, 22050→16000 = 320/441, 487.5→250 = 20/39, 1000→1000 = 1/1', (t) => {
  t.deepEqual(rationalRatio(44100, 22050), { up: 1, down: 2 });
  t.deepEqual(rationalRatio(22050, 16000), { up: 320, down: 441 });
  t.deepEqual(rationalRatio(487.5, 250), { up: 20, down: 39 });
  t.deepEqual(rationalRatio(1000, 1000), { up: 1, down: 1 });
  t.throws(() => rationalRatio(0, 100), { message: /positive/ });
});

test('firwin (Kaiser β=5, Hamming, band-pass) equals scipy.signal.firwin to 1e-12', (t) => {
  const ref = pyJson<number[][]>(
    `from scipy.signal import firwin
print(json.dumps([firwin(41,0.25,window=('kaiser',5.0)).tolist(), firwin(101,30.0,fs=250.0).tolist(),
 firwin(101,[1.0,40.0],fs=250.0,pass_zero=False).tolist(), firwin(51,20.0,fs=100.0,pass_zero=False).tolist()]))`,
    null,
  );
  t.true(maxAbsDiff(firwin(41, 0.25, { window: { kaiser: 5 } }), ref[0]) < 1e-12);
  t.true(maxAbsDiff(firwin(101, 30, { fs: 250 }), ref[1]) < 1e-12);
  t.true(maxAbsDiff(firwin(101, [1, 40], { fs: 250, passZero: false }), ref[2]) < 1e-12);
  t.true(maxAbsDiff(firwin(51, 20, { fs: 100, passZero: false }), ref[3]) < 1e-12);
  t.throws(() => firwin(50, 20, { fs: 100, passZero: false }), { message: /odd number of taps/ });
});

test('resamplePoly equals scipy.signal.resample_poly on a random signal for 6 up/down pairs (max abs err < 2e-6)', (t) => {
  const x = Array.from(new Rng(31, 'resample').normals(3001));
  const pairs: [number, number][] = [
    [1, 2],
    [2, 1],
    [320, 441],
    [441, 320],
    [3, 7],
    [1, 4],
  ];
  const ref = pyJson<number[][]>(
    `from scipy.signal import resample_poly
x=np.array(inp['x'])
print(json.dumps([resample_poly(x,u,d).tolist() for u,d in inp['pairs']]))`,
    { x, pairs },
  );
  pairs.forEach(([up, down], i) => {
    const y = resamplePoly(x, up, down);
    t.is(y.length, ref[i].length, `length for ${up}/${down}`);
    const err = maxAbsDiff(y, ref[i]);
    t.true(err < 2e-6 * Math.max(1, maxAbs(ref[i])), `${up}/${down}: max abs err ${err}`);
  });
});

test('resample() with its strict default filter equals scipy resample_poly given the same firwin(Kaiser 8.6, 32 crossings) taps', (t) => {
  const x = Array.from(new Rng(32, 'resample-strict').normals(4000));
  const ref = pyJson<number[]>(
    `from scipy.signal import resample_poly, firwin
x=np.array(inp)
h=firwin(2*32*441+1,1.0/441,window=('kaiser',8.6))
print(json.dumps(resample_poly(x,320,441,window=h).tolist()))`,
    x,
  );
  const y = resample(x, 22050, 16000);
  t.is(y.length, ref.length);
  const err = maxAbsDiff(y, ref);
  t.true(err < 2e-6, `max abs err ${err}`);
});

test('scipy-default resamplePoly 44100 → 22050 Hz: 3 kHz tone within 0.1 dB; 16.5 kHz (1.5× new Nyquist) aliased to 5.55 kHz ≥ 60 dB down', (t) => {
  const inBand = resamplePoly(tone(3000, 44100, 1), 1, 2);
  t.is(inBand.length, 22050);
  const gainDb = 20 * Math.log10(toneAmplitude(inBand, 3000, 22050));
  t.true(Math.abs(gainDb) < 0.1, `in-band gain ${gainDb} dB`);
  const f = 1.5 * 11025;
  const aliased = resamplePoly(tone(f, 44100, 1), 1, 2);
  const aliasDb = 20 * Math.log10(toneAmplitude(aliased, 22050 - f, 22050));
  t.true(aliasDb < -60, `alias at ${22050 - f} Hz: ${aliasDb} dB`);
});

test('resample 22050 → 16000 Hz: 1 kHz and 7 kHz tones within 0.1 dB; 8.8 kHz and 10 kHz tones (above the 8 kHz Nyquist) ≥ 60 dB down after aliasing', (t) => {
  for (const f of [1000, 7000]) {
    const y = resample(tone(f, 22050, 1), 22050, 16000);
    t.is(y.length, 16000);
    const g = 20 * Math.log10(toneAmplitude(y, f, 16000));
    t.true(Math.abs(g) < 0.1, `${f} Hz gain ${g} dB`);
  }
  for (const f of [8800, 10000]) {
    const y = resample(tone(f, 22050, 1), 22050, 16000);
    const aliasDb = 20 * Math.log10(toneAmplitude(y, 16000 - f, 16000));
    t.true(aliasDb < -60, `${f} Hz → alias at ${16000 - f} Hz: ${aliasDb} dB`);
  }
});

test('resampling edge cases: identity ratio copies, empty input gives empty output, bad factors throw InputError', (t) => {
  const x = new Float32Array([1, 2, 3]);
  const same = resample(x, 250, 250);
  t.deepEqual(Array.from(same), [1, 2, 3]);
  t.not(same, x);
  t.is(resamplePoly(new Float32Array(0), 1, 2).length, 0);
  t.is(resamplePoly(new Float32Array(5), 2, 4).length, 3); // reduced to 1/2: ⌈5/2⌉
  t.throws(() => resamplePoly(x, 0, 2), { name: 'InputError', message: /up/ });
  t.throws(() => resample(x, 250, Number.NaN), { name: 'InputError', message: /toRate/ });
});
