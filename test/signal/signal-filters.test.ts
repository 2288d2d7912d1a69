import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import {
  bandpassZeroPhase,
  butterworth,
  notch,
  notchZeroPhase,
  sosFreqResponse,
  sosfilt,
  sosfiltfilt,
  sosfiltZi,
  type FilterType,
} from '../../src/signal/filters.js';
import { maxAbs, maxAbsDiff, pyJson } from '../helpers/signal-python.js';
import { toneAmplitude } from '../helpers/tones.js';

function tone(f: number, fs: number, seconds: number): Float64Array {
  const x = new Float64Array(Math.round(fs * seconds));
  for (let i = 0; i < x.length; i++) x[i] = Math.sin((2 * Math.PI * f * i) / fs);
  return x;
}

/** Bisect g(f) = target on [lo, hi] where g crosses the target once. */
function crossing(g: (f: number) => number, target: number, lo: number, hi: number): number {
  const sLo = Math.sign(g(lo) - target);
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (Math.sign(g(mid) - target) === sLo) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

const DESIGNS: { order: number; cutoff: number | [number, number]; fs: number; type: FilterType }[] = [
  { order: 4, cutoff: 40, fs: 250, type: 'lowpass' },
  { order: 3, cutoff: 1, fs: 250, type: 'highpass' },
  { order: 4, cutoff: [1, 40], fs: 250, type: 'bandpass' },
  { order: 5, cutoff: [8, 13], fs: 512, type: 'bandpass' },
  { order: 2, cutoff: [48, 52], fs: 500, type: 'bandstop' },
  { order: 8, cutoff: 100, fs: 1000, type: 'lowpass' },
];

test('Butterworth SOS designs have the same frequency response as scipy.signal.butter(output="sos") (|ΔH| < 1e-9)', (t) => {
  const freqs = Array.from({ length: 200 }, (_, i) => i / 199);
  const ref = pyJson<number[][]>(
    `from scipy.signal import butter, sosfreqz
out=[]
for d in inp:
    sos=butter(d['order'],d['cutoff'],btype=d['type'],fs=d['fs'],output='sos')
    f=np.linspace(0,d['fs']/2,200)
    w,h=sosfreqz(sos,worN=f,fs=d['fs'])
    out.append(np.abs(h).tolist())
print(json.dumps(out))`,
    DESIGNS,
  );
  DESIGNS.forEach((d, i) => {
    const sos = butterworth(d.order, d.cutoff, d.fs, d.type);
    const { mag } = sosFreqResponse(
      sos,
      freqs.map((u) => (u * d.fs) / 2),
      d.fs,
    );
    const err = maxAbsDiff(mag, ref[i]);
    t.true(err < 1e-9, `${d.type} order ${d.order}: max |ΔH| ${err}`);
  });
});

test('band-pass 8–30 Hz (order 4, fs 250): single-pass −3.01 dB points and zero-phase −6.02 dB points (measured on filtered tones) within 1% of the design edges', (t) => {
  const fs = 250;
  const sos = butterworth(4, [8, 30], fs, 'bandpass');
  const single = (f: number): number => sosFreqResponse(sos, [f], fs).mag[0];
  const half = Math.SQRT1_2;
  const lo3 = crossing(single, half, 2, 15);
  const hi3 = crossing(single, half, 15, 60);
  t.true(Math.abs(lo3 - 8) / 8 < 0.01, `single-pass low edge ${lo3}`);
  t.true(Math.abs(hi3 - 30) / 30 < 0.01, `single-pass high edge ${hi3}`);
  // Zero-phase: measure the gain of sosfiltfilt on 8 s tones, not the formula.
  const zp = (f: number): number => toneAmplitude(sosfiltfilt(sos, tone(f, fs, 8)), f, fs);
  const lo6 = crossing(zp, 0.5, 4, 15);
  const hi6 = crossing(zp, 0.5, 15, 45);
  t.true(Math.abs(lo6 - 8) / 8 < 0.01, `zero-phase low edge ${lo6}`);
  t.true(Math.abs(hi6 - 30) / 30 < 0.01, `zero-phase high edge ${hi6}`);
  t.true(Math.abs(20 * Math.log10(zp(15)) - 0) < 0.05, 'passband centre is flat');
});

test('sosfiltfilt equals scipy.signal.sosfiltfilt (scipy-designed filters) on a random signal to 1e-5', (t) => {
  const x = Array.from(new Rng(41, 'filtfilt').normals(3000));
  const ref = pyJson<{ sos: number[][]; y: number[]; zi: number[][] }[]>(
    `from scipy.signal import butter, iirnotch, sosfiltfilt, sosfilt_zi, tf2sos
x=np.array(inp)
out=[]
for sos in (butter(4,[1,40],btype='bandpass',fs=250,output='sos'),
            butter(3,0.5,btype='highpass',fs=250,output='sos'),
            tf2sos(*iirnotch(50,30,fs=250))):
    out.append({'sos':sos.tolist(),'y':sosfiltfilt(sos,x).tolist(),'zi':sosfilt_zi(sos).tolist()})
print(json.dumps(out))`,
    x,
  );
  const designs = [butterworth(4, [1, 40], 250, 'bandpass'), butterworth(3, 0.5, 250, 'highpass'), notch(50, 30, 250)];
  ref.forEach((r, i) => {
    // scipy's own coefficients through our filtfilt: tests the application alone.
    const sciSos = Float64Array.from(r.sos.flat());
    const yScipyDesign = sosfiltfilt(sciSos, x);
    const e1 = maxAbsDiff(yScipyDesign, r.y) / Math.max(1, maxAbs(r.y));
    t.true(e1 < 1e-5, `case ${i} (scipy sos): ${e1}`);
    t.true(maxAbsDiff(sosfiltZi(sciSos), r.zi.flat()) < 1e-10, `case ${i} zi`);
    // Our design end to end: sections may be paired differently, output must agree.
    const yOurs = sosfiltfilt(designs[i], x);
    const e2 = maxAbsDiff(yOurs, r.y) / Math.max(1, maxAbs(r.y));
    t.true(e2 < 1e-5, `case ${i} (our design): ${e2}`);
  });
});

test('notch 50 Hz, Q 30, fs 250: coefficients equal scipy.signal.iirnotch; zero-phase depth at 50 Hz ≥ 40 dB; 45/55 Hz lose < 0.3 dB = twice the single-pass loss', (t) => {
  const fs = 250;
  const ref = pyJson<{ b: number[]; a: number[] }>(
    `from scipy.signal import iirnotch
b,a=iirnotch(50,30,fs=250)
print(json.dumps({'b':b.tolist(),'a':a.tolist()}))`,
    null,
  );
  const sos = notch(50, 30, fs);
  t.true(maxAbsDiff(sos.subarray(0, 3), ref.b) < 1e-14);
  t.true(maxAbsDiff(sos.subarray(3, 6), ref.a) < 1e-14);
  const depthDb = 20 * Math.log10(toneAmplitude(notchZeroPhase(tone(50, fs, 20), fs, 50, 30), 50, fs));
  t.true(depthDb < -40, `depth ${depthDb} dB`);
  for (const f of [45, 55]) {
    const g = 20 * Math.log10(toneAmplitude(notchZeroPhase(tone(f, fs, 20), fs, 50, 30), f, fs));
    const single = 20 * Math.log10(sosFreqResponse(sos, [f], fs).mag[0]);
    t.true(g > -0.3 && Math.abs(g - 2 * single) < 0.01, `${f} Hz: ${g} dB (single pass ${single} dB)`);
  }
});

test('planted EEG: 10 Hz alpha (amp 1) + 50 Hz mains (amp 2) + slow drift + offset → band-pass 1–40 Hz and notch recover alpha within 2% and zero lag', (t) => {
  const fs = 250;
  const n = fs * 20;
  const noise = new Rng(42, 'eeg').normals(n, 0, 0.05);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = i / fs;
    x[i] = Math.sin(2 * Math.PI * 10 * s) + 2 * Math.sin(2 * Math.PI * 50 * s) + 30 + 5 * Math.sin(2 * Math.PI * 0.05 * s) + noise[i];
  }
  const y = notchZeroPhase(bandpassZeroPhase(x, fs, 1, 40), fs, 50);
  t.true(Math.abs(toneAmplitude(y, 10, fs) - 1) < 0.02, `alpha amp ${toneAmplitude(y, 10, fs)}`);
  t.true(toneAmplitude(y, 50, fs) < 0.01, `mains left ${toneAmplitude(y, 50, fs)}`);
  // Zero phase: the fitted 10 Hz component has the planted phase (sine, no cosine part).
  let ys = 0,
    yc = 0;
  for (let i = n / 4; i < (3 * n) / 4; i++) {
    ys += y[i] * Math.sin((2 * Math.PI * 10 * i) / fs);
    yc += y[i] * Math.cos((2 * Math.PI * 10 * i) / fs);
  }
  t.true(Math.abs(Math.atan2(yc, ys)) < 0.01, `phase ${Math.atan2(yc, ys)} rad`);
});

test('sosfilt with steady-state zi leaves a constant input constant; bad inputs throw InputError', (t) => {
  const sos = butterworth(4, 20, 250, 'lowpass');
  const zi = sosfiltZi(sos).map((v) => v * 3);
  const y = sosfilt(sos, new Float64Array(50).fill(3), zi);
  t.true(maxAbsDiff(y, new Float64Array(50).fill(3)) < 1e-12);
  t.throws(() => butterworth(4, 200, 250, 'lowpass'), { name: 'InputError' });
  t.throws(() => butterworth(4, 20, 250, 'bandpass'), { name: 'InputError' });
  t.throws(() => sosfiltfilt(sos, new Float64Array(10)), { name: 'InputError', message: /longer than the padding/ });
  t.throws(() => notch(0, 30, 250), { name: 'InputError' });
});
