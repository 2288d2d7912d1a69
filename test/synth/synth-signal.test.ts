import test from 'ava';
import { execFileSync } from 'node:child_process';
import { doubleGammaHrf, convolve } from '../../src/signal/hrf.js';
import { amplitudeEnvelope, magnitudeFrames, spectralFlux } from '../../src/signal/envelope.js';

function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}

test('canonical HRF equals scipy gamma(6) − gamma(16)/6, unit sum, peak at 5 s and undershoot at 15.7 s', (t) => {
  const dt = 0.1;
  const h = doubleGammaHrf(dt, 32);
  const py = `
import numpy as np, scipy.stats as st
t = np.arange(320) * 0.1
h = st.gamma.pdf(t, 6) - st.gamma.pdf(t, 16) / 6
h /= h.sum()
print(' '.join('%.9g' % v for v in h))`;
  const ref = execFileSync('/usr/bin/python3', ['-c', py]).toString().trim().split(' ').map(Number);
  t.is(h.length, ref.length);
  let maxErr = 0;
  for (let i = 0; i < h.length; i++) maxErr = Math.max(maxErr, Math.abs(h[i] - ref[i]));
  t.true(maxErr < 1e-7, `max |Δ| ${maxErr}`);
  t.true(Math.abs(h.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  t.is(argmax(h) * dt, 5);
  const neg = Array.from(h).map((v) => -v);
  t.true(Math.abs(argmax(neg) * dt - 15.7) < 0.11, `undershoot at ${argmax(neg) * dt} s`);
});

test('causal convolution equals numpy.convolve truncated to the input length', (t) => {
  const x = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * 0.7) + (i % 7 === 0 ? 1 : 0));
  const h = Float32Array.from([0.5, -0.25, 0.125, 1]);
  const y = convolve(x, h);
  for (let n = 0; n < x.length; n++) {
    let s = 0;
    for (let k = 0; k < h.length; k++) if (n - k >= 0) s += h[k] * x[n - k];
    t.true(Math.abs(y[n] - s) < 1e-5);
  }
  t.is(y.length, x.length);
});

test('envelope of an amplitude-modulated sine follows A(t)/√2 at the output rate', (t) => {
  const sr = 8000;
  const x = new Float32Array(sr * 2);
  const A = (tt: number) => 1 + 0.5 * Math.sin(2 * Math.PI * 2 * tt);
  for (let i = 0; i < x.length; i++) x[i] = A(i / sr) * Math.sin(2 * Math.PI * 440 * (i / sr));
  const env = amplitudeEnvelope(x, sr, 100);
  t.is(env.length, 200);
  let maxErr = 0;
  for (let k = 5; k < 195; k++) maxErr = Math.max(maxErr, Math.abs(env[k] - A(k / 100) / Math.SQRT2));
  t.true(maxErr < 0.02, `max error ${maxErr}`);
});

test('spectral flux peaks at note onsets and stays near zero during steady tones', (t) => {
  const sr = 22050;
  const x = new Float32Array(sr * 2);
  const onsets = [0.25, 0.75, 1.25];
  for (const [j, on] of onsets.entries()) {
    const f0 = [330, 440, 550][j];
    for (let i = Math.round(on * sr); i < Math.round((on + 0.4) * sr); i++) x[i] = 0.5 * Math.sin(2 * Math.PI * f0 * (i / sr));
  }
  const fl = spectralFlux(x, sr, 100);
  t.is(fl.length, 200);
  for (const on of onsets) {
    const k = Math.round(on * 100);
    const peak = Math.max(...Array.from(fl.subarray(k - 3, k + 4)));
    const steady = Math.max(...Array.from(fl.subarray(k + 10, k + 30)));
    t.true(peak > 20 * steady + 1e-6, `onset ${on}: peak ${peak} steady ${steady}`);
  }
});

test('magnitude frames equal numpy |rfft| of Hann-windowed, centred, zero-padded frames (odd and even frame counts)', (t) => {
  for (const n of [5000, 4900]) {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.05) + 0.3 * Math.cos(i * 1.3) + ((i * 7919) % 17) / 17 - 0.5);
    const mf = magnitudeFrames(x, 512, 128);
    const py = `
import sys, json, numpy as np
x = np.array(json.loads(sys.stdin.read()), dtype=np.float64)
n, hop = 512, 128
w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
xp = np.concatenate([np.zeros(n // 2), x, np.zeros(n)])
frames = [np.abs(np.fft.rfft(xp[f * hop: f * hop + n] * w)) for f in range(len(x) // hop + 1)]
print(json.dumps(np.array(frames).ravel().tolist()))`;
    const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(Array.from(x)), maxBuffer: 1 << 26 }).toString()) as number[];
    t.is(mf.data.length, ref.length);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(mf.data[i] - ref[i]) / (1 + Math.abs(ref[i])));
    t.true(maxErr < 1e-5, `n=${n}: ${maxErr}`);
  }
});
