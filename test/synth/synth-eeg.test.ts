/**
 * The planted EEG truth: noise-free responses give back the planted envelope
 * TRF (and topography) by least squares, the responder's recording carries the
 * planted response above a circular-shift null, and the control subject's
 * does not. Size: 3 genres × 6 clips × 4 s, 16 channels at 128 Hz.
 */
import test from 'ava';
import { convolve } from '../../src/signal/hrf.js';
import { synthConfigSchema } from '../../src/synth/config.js';
import { simulateStudy } from '../../src/synth/study.js';
import { pearson, ridgeSolve } from '../helpers/lstsq.js';

const cfg = synthConfigSchema.parse({
  stimuli: { genres: ['disco', 'jazz', 'metal'], clipsPerGenre: 6, clipSec: 4 },
  fmri: { subjects: 0 },
  eeg: { subjects: 1, control: true, channels: 16, rate: 128 },
  behaviour: { subjects: 0 },
});
const study = simulateStudy(cfg, 5);
const [responder, control] = study.eeg;
const rate = cfg.eeg.rate;

test('least squares on the lagged envelope and flux recovers the planted envelope TRF from noise-free EEG', (t) => {
  const p = responder.planted;
  const L = p.kernelEnv.length;
  const n = responder.env.length;
  const P = 2 * L;
  const X = new Float64Array(n * P);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) {
      if (i - l < 0) break;
      X[i * P + l] = responder.env[i - l];
      X[i * P + L + l] = responder.flux[i - l];
    }
  }
  const ys = responder.response.map((x) => Float64Array.from(x));
  const betas = ridgeSolve(X, n, P, ys, 1e-8);
  let worst = 0;
  const peak = Math.max(...Array.from(p.kernelEnv, Math.abs));
  const gains: number[] = [];
  betas.forEach((b, c) => {
    for (let l = 0; l < L; l++) worst = Math.max(worst, Math.abs(b[l] - p.topoEnv[c] * p.kernelEnv[l]));
    // The channel's recovered kernel, projected on the planted one, gives that channel's topography weight.
    let num = 0;
    let den = 0;
    for (let l = 0; l < L; l++) {
      num += b[l] * p.kernelEnv[l];
      den += p.kernelEnv[l] ** 2;
    }
    gains.push(num / den);
  });
  t.log(`kernel peak ${peak.toFixed(3)} µV/unit, worst |error| ${worst.toExponential(2)}; topography r = ${pearson(gains, p.topoEnv).toFixed(6)}`);
  t.true(worst < 1e-3 * peak);
  t.true(pearson(gains, p.topoEnv) > 0.9999);
});

/** Subtract a centred 1-s moving average: a crude high-pass that removes drift before correlating. */
function highPass(x: Float32Array | Float64Array): Float64Array {
  const h = Math.round(rate / 2);
  const n = x.length;
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + x[i];
  return Float64Array.from({ length: n }, (_, i) => {
    const a = Math.max(0, i - h);
    const b = Math.min(n, i + h + 1);
    return x[i] - (cum[b] - cum[a]) / (b - a);
  });
}

/** z of the correlation between the topography-weighted EEG and the planted envelope response, against circular shifts ≥ 5 s. */
function plantedZ(sub: typeof responder, topo: Float32Array, kernel: Float32Array): { r: number; z: number } {
  const n = sub.env.length;
  const bad = new Set([sub.artefacts.flatChannel, sub.artefacts.noisyChannel]);
  const proj = new Float64Array(n);
  sub.planted.channels.forEach((ch, c) => {
    if (bad.has(ch)) return;
    for (let i = 0; i < n; i++) proj[i] += topo[c] * sub.data[c][i];
  });
  const y = highPass(proj);
  const pred = highPass(convolve(sub.env, kernel));
  const r = pearson(pred, y);
  const nulls: number[] = [];
  const minShift = 5 * rate;
  for (let k = 0; k < 60; k++) {
    const shift = minShift + Math.floor(((n - 2 * minShift) * k) / 60);
    const shifted = Float64Array.from({ length: n }, (_, i) => pred[(i + shift) % n]);
    nulls.push(pearson(shifted, y));
  }
  const m = nulls.reduce((a, b) => a + b, 0) / nulls.length;
  const sd = Math.sqrt(nulls.reduce((a, b) => a + (b - m) ** 2, 0) / (nulls.length - 1));
  return { r, z: (r - m) / sd };
}

test('the responder carries the planted envelope response above a circular-shift null; the control subject does not', (t) => {
  t.false(responder.control);
  t.true(control.control);
  t.is(control.gain, 0);
  t.true(control.response.every((x) => x.every((v) => v === 0)));
  // Both are tested with the responder's planted topography and kernel.
  const topo = responder.planted.topoEnv;
  const kernel = Float32Array.from(responder.planted.kernelEnv, (v) => v / responder.gain);
  const a = plantedZ(responder, topo, kernel);
  const b = plantedZ(control, topo, kernel);
  t.log(`responder r = ${a.r.toFixed(3)} (z ${a.z.toFixed(1)}), control r = ${b.r.toFixed(3)} (z ${b.z.toFixed(1)})`);
  t.true(a.z > 4, `responder z ${a.z}`);
  t.true(Math.abs(b.z) < 3, `control z ${b.z}`);
});

test('artefacts are where they are said to be: one flat channel, one noisy channel, blinks largest on frontal channels, 50 Hz line noise', (t) => {
  const chs = responder.planted.channels;
  const flat = responder.data[chs.indexOf(responder.artefacts.flatChannel)];
  t.true(flat.every((v) => v === 0));
  const rms = responder.data.map((x) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length));
  const noisy = rms[chs.indexOf(responder.artefacts.noisyChannel)];
  const others = rms.filter((_, c) => chs[c] !== responder.artefacts.noisyChannel && chs[c] !== responder.artefacts.flatChannel);
  t.true(noisy > Math.max(...others), `noisy ${noisy} vs ${Math.max(...others)}`);
  // Mean over blink windows minus the mean just before: Fp1 ≫ O1.
  const blinkAmp = (c: number): number => {
    const x = responder.data[c];
    let s = 0;
    for (const on of responder.artefacts.blinkOnsets) {
      const i = Math.round((on + 0.15) * rate);
      const j = Math.round((on - 0.2) * rate);
      if (j >= 0 && i < x.length) s += x[i] - x[j];
    }
    return s / responder.artefacts.blinkOnsets.length;
  };
  const fp1 = chs.indexOf('Fp1');
  const o1 = chs.indexOf('O1');
  if (fp1 >= 0 && responder.artefacts.flatChannel !== 'Fp1' && responder.artefacts.noisyChannel !== 'Fp1')
    t.true(blinkAmp(fp1) > 50, `Fp1 blink ${blinkAmp(fp1)}`);
  t.true(Math.abs(blinkAmp(o1)) < 20);
  // 50 Hz: power at 50 Hz well above neighbouring 45 Hz on a good channel (DFT at one frequency).
  const cz = responder.data[chs.indexOf('Cz')];
  const power = (f: number): number => {
    let re = 0;
    let im = 0;
    for (let i = 0; i < cz.length; i++) {
      re += cz[i] * Math.cos((2 * Math.PI * f * i) / rate);
      im -= cz[i] * Math.sin((2 * Math.PI * f * i) / rate);
    }
    return re * re + im * im;
  };
  t.true(power(50) > 20 * power(45), `50 Hz ${power(50)} vs 45 Hz ${power(45)}`);
});

test('an EEG design of 3 songs × 4 repeats: each listener hears the first clip of each genre four times, in a listener-specific order', (t) => {
  const c2 = synthConfigSchema.parse({ ...cfg, eeg: { ...cfg.eeg, songs: 3, repeats: 4 } });
  const s2 = simulateStudy(c2, 5);
  const firstOfGenre = [0, 6, 12];
  t.deepEqual(
    firstOfGenre.map((i) => s2.stimuli[i].track),
    [0, 0, 0],
  );
  for (const sub of s2.eeg) {
    t.is(sub.order.length, 12);
    t.deepEqual(
      [...new Set(sub.order)].sort((a, b) => a - b),
      firstOfGenre,
    );
    for (const st of firstOfGenre) t.is(sub.order.filter((o) => o === st).length, 4);
    // Onsets follow each other by clip length + gap.
    for (let k = 1; k < sub.onsets.length; k++) t.true(Math.abs(sub.onsets[k] - sub.onsets[k - 1] - (4 + cfg.eeg.gapSec)) < 1.5 / cfg.eeg.rate);
  }
  t.notDeepEqual(s2.eeg[0].order, s2.eeg[1].order);
  // The default (every clip once) keeps the old design.
  t.deepEqual(
    [...study.eeg[0].order].sort((a, b) => a - b),
    study.stimuli.map((_, i) => i),
  );
});
